package dev.mfagate.zulip.emulator;

/** A user's role in the organisation, with the integer Zulip sends as {@code role}. */
public enum Role {
    OWNER(100),
    ADMINISTRATOR(200),
    MODERATOR(300),
    MEMBER(400),
    GUEST(600);

    private final int apiValue;

    Role(int apiValue) {
        this.apiValue = apiValue;
    }

    /** The value of {@code role} in Zulip's user objects. */
    public int apiValue() {
        return apiValue;
    }

    boolean isAdministrator() {
        return this == OWNER || this == ADMINISTRATOR;
    }
}
