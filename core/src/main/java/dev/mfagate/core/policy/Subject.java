package dev.mfagate.core.policy;

import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is asking: the authenticated API token and, for a delegated request, the Zulip user it asks for.
 *
 * <p>The gateway builds a subject after it has authenticated the bearer token (the token store
 * supplies id, scope and on-behalf permission) and parsed the on-behalf headers:
 * <pre>{@code
 * var token = new Subject.Token("bot-1", LabelPattern.parse("*"), true);
 * Subject direct = Subject.direct(token);
 * Subject asUser = Subject.onBehalf(token, new Subject.OnBehalf(42, Optional.of("ann@example.com"),
 *         Set.of(7L), Set.of(12L)));
 * }</pre>
 * A subject states, it does not prove: group and channel membership are what the (trusted,
 * authenticated) bot says. That is why the token's scope caps every on-behalf request.
 *
 * <p>Immutable and thread-safe.
 *
 * @param token the authenticated token
 * @param onBehalf the Zulip user the token asks for, if this is a delegated request
 * @param person the person that user was recognised as, if their identity is linked to one
 */
public record Subject(Token token, Optional<OnBehalf> onBehalf, Optional<PersonId> person) {

    /**
     * The token a console request stands on: no bearer token is involved, the console's session
     * established the person. It may get nothing by itself ({@code token:console} rules do not
     * apply to console requests); its scope {@code *} is no ceiling, the person's rules decide.
     */
    public static final Token CONSOLE_DOOR = new Token("console", LabelPattern.parse("*"), true);

    /**
     * Validates: only a delegated request, or a console request ({@link #CONSOLE_DOOR}), can be
     * recognised as a person.
     */
    public Subject {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(onBehalf, "onBehalf");
        Objects.requireNonNull(person, "person");
        if (person.isPresent() && onBehalf.isEmpty() && !token.equals(CONSOLE_DOOR)) {
            throw new IllegalArgumentException("Only a request on behalf of a user can be recognised as a person");
        }
    }

    /**
     * A person signed in to the web console: only {@code person:<id>} rules match them, and limits,
     * caps and lockout count against {@code person:<id>}.
     */
    public static Subject consolePerson(PersonId person) {
        return new Subject(CONSOLE_DOOR, Optional.empty(), Optional.of(Objects.requireNonNull(person, "person")));
    }

    /** Whether this is a person signed in to the web console. */
    public boolean isConsolePerson() {
        return onBehalf.isEmpty() && person.isPresent();
    }

    /** A subject not recognised as any person. */
    public Subject(Token token, Optional<OnBehalf> onBehalf) {
        this(token, onBehalf, Optional.empty());
    }

    /**
     * This delegated request, recognised as {@code person} (the person the on-behalf user's Zulip
     * identity is linked to): {@code person:} rules then match it too.
     */
    public Subject asPerson(PersonId person) {
        return new Subject(token, onBehalf, Optional.of(Objects.requireNonNull(person, "person")));
    }

    /** A request the token makes for itself. */
    public static Subject direct(Token token) {
        return new Subject(token, Optional.empty());
    }

    /** A request the token makes on behalf of a Zulip user. */
    public static Subject onBehalf(Token token, OnBehalf user) {
        return new Subject(token, Optional.of(Objects.requireNonNull(user, "user")));
    }

    /** Whether this is a delegated request. */
    public boolean isOnBehalf() {
        return onBehalf.isPresent();
    }

    /**
     * The principal the request counts against for daily caps, rate limits and lockout:
     * {@code person:<id>} for a request recognised as a person (a console request, or a delegated
     * one whose Zulip user is linked to a person), so that a person's identities and doors share one
     * count; else {@code user:<id>} for a delegated request, {@code token:<id>} for a direct one.
     */
    public String principalKey() {
        if (person.isPresent()) {
            return "person:" + person.get().value();
        }
        return onBehalf.<String>map(u -> "user:" + u.userId()).orElseGet(() -> "token:" + token.tokenId());
    }

    /**
     * An authenticated API token as policy sees it.
     *
     * @param tokenId the token's public id (never its secret)
     * @param scope the labels the token may ever obtain; a ceiling for everything it asks
     * @param mayActOnBehalf whether the token may ask on behalf of Zulip users (the bot's token)
     * @param holdsRole whether the token holds an administrative role: such a token gets codes only
     *     through rules naming it, never by its scope alone (a role never yields a code)
     */
    public record Token(String tokenId, LabelPattern scope, boolean mayActOnBehalf, boolean holdsRole) {
        /** Validates. */
        public Token {
            Texts.checkTokenId(tokenId);
            Objects.requireNonNull(scope, "scope");
        }

        /** A token without a role. */
        public Token(String tokenId, LabelPattern scope, boolean mayActOnBehalf) {
            this(tokenId, scope, mayActOnBehalf, false);
        }

        /** Whether {@code label} is inside the token's scope. */
        public boolean covers(Label label) {
            return scope.matches(label);
        }
    }

    /**
     * The Zulip user a delegated request is for, with the memberships the bot reports.
     *
     * @param userId the Zulip user id (what rules match on)
     * @param email the user's email, for the audit trail only; never used to match
     * @param groupIds ids of the Zulip user groups the user is in
     * @param channelIds Zulip stream ids of the channels the user is subscribed to (ids, never
     *     names: see {@link Principal})
     * @throws IllegalArgumentException when an id is not positive or the email is unprintable
     */
    public record OnBehalf(long userId, Optional<String> email, Set<Long> groupIds, Set<Long> channelIds) {

        /** Validates and copies the sets. */
        public OnBehalf {
            Texts.checkId("user", userId);
            Objects.requireNonNull(email, "email");
            email.ifPresent(Texts::checkEmail);
            groupIds = Set.copyOf(Objects.requireNonNull(groupIds, "groupIds"));
            groupIds.forEach(g -> Texts.checkId("group", g));
            channelIds = Set.copyOf(Objects.requireNonNull(channelIds, "channelIds"));
            channelIds.forEach(c -> Texts.checkId("channel", c));
        }
    }
}
