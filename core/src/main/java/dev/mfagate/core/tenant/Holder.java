package dev.mfagate.core.tenant;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who holds a role: a {@link PersonHolder person}, every member of a {@link ZulipGroup Zulip user
 * group}, or, for organisation roles only, everyone whose SSO ID token carries a {@link SsoGroup
 * group claim}. Text forms {@code person:ann}, {@code group:7}, {@code sso-group:mfa-operators}.
 * An {@link ApiToken admin token} holds the one role it was created with (stored on the token,
 * never as a role binding, so {@link #parse} does not read it).
 * Immutable and thread-safe.
 */
public sealed interface Holder {

    /** The text form, as stored and shown. */
    String text();

    /**
     * Parses a text form.
     *
     * @throws IllegalArgumentException naming the forms (never repeating the input)
     */
    static Holder parse(String text) {
        Objects.requireNonNull(text, "holder");
        int colon = text.indexOf(':');
        String kind = colon <= 0 ? "" : text.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = colon <= 0 ? "" : text.substring(colon + 1);
        return switch (kind) {
            case "person" -> new PersonHolder(new PersonId(rest));
            case "group" -> {
                if (!rest.matches("[1-9][0-9]{0,17}")) {
                    throw new IllegalArgumentException("Invalid Zulip group id: must be a positive whole number");
                }
                yield new ZulipGroup(Long.parseLong(rest));
            }
            case "sso-group" -> new SsoGroup(rest);
            default -> throw new IllegalArgumentException("Invalid role holder: must be person:<id>, group:<Zulip group id>"
                    + " or sso-group:<claim>");
        };
    }

    /** An admin token, by its public id (never the secret). @param tokenId 16 of {@code [a-z2-7]} */
    record ApiToken(String tokenId) implements Holder {
        /** Validates. */
        public ApiToken {
            Objects.requireNonNull(tokenId, "tokenId");
            if (!tokenId.matches("[a-z2-7]{16}")) {
                throw new IllegalArgumentException("Invalid token id: must be 16 characters of [a-z2-7]");
            }
        }

        @Override
        public String text() {
            return "token:" + tokenId;
        }
    }

    /** A person. @param person the person's id */
    record PersonHolder(PersonId person) implements Holder {
        /** Validates. */
        public PersonHolder {
            Objects.requireNonNull(person, "person");
        }

        @Override
        public String text() {
            return "person:" + person.value();
        }
    }

    /** The members of a Zulip user group. @param groupId positive */
    record ZulipGroup(long groupId) implements Holder {
        /** Validates. */
        public ZulipGroup {
            if (groupId <= 0) {
                throw new IllegalArgumentException("Invalid Zulip group id " + groupId + ": must be positive");
            }
        }

        @Override
        public String text() {
            return "group:" + groupId;
        }
    }

    /**
     * An SSO group claim value, for organisation roles only.
     *
     * @param claim 1 to 128 of {@code [A-Za-z0-9_.:/@-]}
     */
    record SsoGroup(String claim) implements Holder {
        private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_.:/@-]{1,128}");

        /** Validates. */
        public SsoGroup {
            Objects.requireNonNull(claim, "claim");
            if (!CLAIM.matcher(claim).matches()) {
                throw new IllegalArgumentException("Invalid SSO group claim: must be 1 to 128 of A-Z a-z 0-9 _ . : / @ -");
            }
        }

        @Override
        public String text() {
            return "sso-group:" + claim;
        }
    }
}
