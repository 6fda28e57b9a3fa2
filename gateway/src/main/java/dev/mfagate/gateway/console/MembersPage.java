package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The Members and roles page: the role bindings of one place (a tenant, or the organisation for
 * operators), a form to give a role and a remove button per binding.
 *
 * @param frame the frame
 * @param places the places the person may read members of
 * @param place the place shown (form value)
 * @param placeText the place shown, in words
 * @param members the bindings
 * @param roles the roles that can be given here
 * @param error why the last change was refused, or null
 * @param notice what the last change did, or null
 */
public record MembersPage(PageFrame frame, List<Place> places, String place, String placeText, List<MemberRow> members,
                          List<String> roles, String error, String notice) implements ConsolePage {

    /** Copies. */
    public MembersPage {
        places = List.copyOf(places);
        members = List.copyOf(members);
        roles = List.copyOf(roles);
    }

    @Override
    public String template() {
        return "members.jte";
    }

    /**
     * One binding.
     *
     * @param holder who holds the role ({@code person:ann})
     * @param name the person's display name, or empty
     * @param role the role
     * @param createdBy who gave it
     * @param createdAt when (UTC)
     */
    public record MemberRow(String holder, String name, String role, String createdBy, String createdAt) {
    }
}
