package dev.mfagate.core.issue;

import dev.mfagate.core.policy.Subject;
import java.util.Objects;

/**
 * Who asks for a code, as the door established it. Sealed so that a new kind of requester (a
 * console session) cannot be added without every switch over it deciding what it may do.
 */
public sealed interface Requester {

    /** The policy subject: the token, and the Zulip user it acts for when delegated. */
    Subject subject();

    /**
     * An API caller: an authenticated bearer token, possibly asking on behalf of a Zulip user
     * (with the groups and channels the bot reports).
     *
     * @param subject the token and on-behalf user
     */
    record ApiCaller(Subject subject) implements Requester {
        /** Validates. */
        public ApiCaller {
            Objects.requireNonNull(subject, "subject");
        }
    }

    /**
     * A person signed in to the web console, as their session established.
     *
     * @param person the person
     * @param sessionRef the session's short, non-secret reference, for the audit entry
     */
    record ConsoleUser(dev.mfagate.core.tenant.PersonId person, String sessionRef) implements Requester {
        /** Validates. */
        public ConsoleUser {
            Objects.requireNonNull(person, "person");
            Objects.requireNonNull(sessionRef, "sessionRef");
        }

        @Override
        public Subject subject() {
            return Subject.consolePerson(person);
        }
    }
}
