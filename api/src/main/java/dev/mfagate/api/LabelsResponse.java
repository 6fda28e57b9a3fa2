package dev.mfagate.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The answer of {@code GET /labels}: the labels the caller (or the user it acts for) may get a code for.
 *
 * @param labels sorted label names
 */
public record LabelsResponse(@JsonProperty("labels") List<String> labels) {
    /** Copies the list. */
    public LabelsResponse {
        labels = List.copyOf(labels);
    }
}
