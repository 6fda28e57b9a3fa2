package dev.mfagate.core.tenant;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One way a {@link Person} is recognised. Each identity belongs to at most one person (the store
 * keeps {@code (kind, value)} unique), so a rule that names a person covers the same human whichever
 * door they come through.
 *
 * <ul>
 *   <li>{@link ZulipUser} {@code zulip:42} — a Zulip user id (never an email, which a user can change);</li>
 *   <li>{@link Oidc} {@code oidc:<issuer>#<subject>} — an SSO identity, the ID token's {@code iss} and
 *       {@code sub} (an issuer has no fragment, so the first {@code #} separates them);</li>
 *   <li>{@link Email} {@code email:ann@example.com} — an email address someone verified, lower-cased.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public sealed interface Identity {

    /** The kind as stored: {@code zulip}, {@code oidc} or {@code email}. */
    String kind();

    /** The value as stored, unique within the kind. */
    String value();

    /** {@code kind:value}, what the CLI takes and shows. */
    default String text() {
        return kind() + ":" + value();
    }

    /**
     * Parses {@code zulip:<id>}, {@code oidc:<issuer>#<subject>} or {@code email:<address>}.
     *
     * @throws IllegalArgumentException naming the rule broken (never repeating the input)
     */
    static Identity parse(String text) {
        Objects.requireNonNull(text, "identity");
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("Invalid identity: must be zulip:<user id>, oidc:<issuer>#<subject>"
                    + " or email:<address>");
        }
        return of(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The identity of {@code kind} with the stored {@code value}. */
    static Identity of(String kind, String value) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case ZulipUser.KIND -> {
                if (!value.matches("[1-9][0-9]{0,17}")) {
                    throw new IllegalArgumentException("Invalid Zulip user id: must be a positive whole number"
                            + " (the number in the user's profile address, #user/<id>)");
                }
                yield new ZulipUser(Long.parseLong(value));
            }
            case Oidc.KIND -> {
                int hash = value.indexOf('#');
                if (hash <= 0) {
                    throw new IllegalArgumentException("Invalid SSO identity: must be oidc:<issuer>#<subject>");
                }
                yield new Oidc(value.substring(0, hash), value.substring(hash + 1));
            }
            case Email.KIND -> new Email(value);
            default -> throw new IllegalArgumentException("Invalid identity kind: must be zulip, oidc or email");
        };
    }

    /** A Zulip user, by id. @param userId positive */
    record ZulipUser(long userId) implements Identity {
        static final String KIND = "zulip";

        /** Validates. */
        public ZulipUser {
            if (userId <= 0) {
                throw new IllegalArgumentException("Invalid Zulip user id " + userId + ": must be positive");
            }
        }

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public String value() {
            return Long.toString(userId);
        }
    }

    /**
     * An OpenID Connect identity.
     *
     * @param issuer the provider's issuer, an https (or, for tests, http) URL without query or fragment
     * @param subject the provider's stable subject id, 1 to 255 printable ASCII characters
     */
    record Oidc(String issuer, String subject) implements Identity {
        static final String KIND = "oidc";
        private static final Pattern SUBJECT = Pattern.compile("[\\x21-\\x7e]{1,255}");

        /** Validates. */
        public Oidc {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(subject, "subject");
            URI uri;
            try {
                uri = new URI(issuer);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("Invalid SSO issuer: not a URL");
            }
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || issuer.length() > 255) {
                throw new IllegalArgumentException("Invalid SSO issuer: must be an https URL without query or fragment,"
                        + " at most 255 characters");
            }
            if (!SUBJECT.matcher(subject).matches()) {
                throw new IllegalArgumentException("Invalid SSO subject: must be 1 to 255 printable ASCII characters");
            }
        }

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public String value() {
            return issuer + "#" + subject;
        }
    }

    /** A verified email address, lower-cased. @param address {@code local@domain} */
    record Email(String address) implements Identity {
        static final String KIND = "email";
        private static final Pattern ADDRESS = Pattern.compile("[a-z0-9._%+'-]{1,64}@[a-z0-9.-]{1,190}\\.[a-z]{2,63}");

        /** Validates and lower-cases. */
        public Email {
            Objects.requireNonNull(address, "address");
            address = address.toLowerCase(Locale.ROOT);
            if (!ADDRESS.matcher(address).matches()) {
                throw new IllegalArgumentException("Invalid email address: must be local@domain.tld in ASCII");
            }
        }

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public String value() {
            return address;
        }
    }
}
