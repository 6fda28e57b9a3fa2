package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The Access page of a tenant admin: the rules and grants of one place, a form to grant, a revoke
 * button per rule, and "who may get this label, and by which rule".
 *
 * @param frame the frame
 * @param places the places the person may read rules of
 * @param place the place shown (form value)
 * @param placeText the place shown, in words
 * @param rules the place's rules
 * @param error why the last change was refused, or null
 * @param notice what the last change did, or null
 * @param whoLabel the label asked about, or empty
 * @param who the rules that give {@code whoLabel} now, or null when none was asked about
 */
public record AccessPage(PageFrame frame, List<Place> places, String place, String placeText, List<RuleRow> rules,
                         String error, String notice, String whoLabel, List<RuleRow> who) implements ConsolePage {

    /** Copies. */
    public AccessPage {
        places = List.copyOf(places);
        rules = List.copyOf(rules);
        who = who == null ? null : List.copyOf(who);
    }

    @Override
    public String template() {
        return "access.jte";
    }

    /**
     * One rule, as text.
     *
     * @param id its id
     * @param principal who it grants
     * @param pattern the labels it grants
     * @param owner the place that owns it, in words
     * @param expires when it ends (UTC), or empty for never
     * @param dailyCap codes a day, or empty for no cap
     * @param createdBy who made it
     * @param soon whether it ends within {@link AdminPages#SOON}
     */
    public record RuleRow(String id, String principal, String pattern, String owner, String expires, String dailyCap,
                          String createdBy, boolean soon) {
    }
}
