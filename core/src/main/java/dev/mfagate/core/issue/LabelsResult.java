package dev.mfagate.core.issue;

import dev.mfagate.core.Label;
import java.util.List;

/** What {@link CodeIssuer#listLabels} returns: {@link Listed} or {@link IssueResult.Refused}. */
public sealed interface LabelsResult permits LabelsResult.Listed, IssueResult.Refused {

    /**
     * The labels the requester may get codes for, sorted; the audit entry is committed.
     *
     * @param labels the labels
     */
    record Listed(List<Label> labels) implements LabelsResult {
        /** Copies. */
        public Listed {
            labels = List.copyOf(labels);
        }
    }
}
