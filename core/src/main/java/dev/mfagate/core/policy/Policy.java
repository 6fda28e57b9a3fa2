package dev.mfagate.core.policy;

import dev.mfagate.core.Label;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of the policy rules, and the one place that decides who may get which label.
 *
 * <p><b>The rule</b> (deny by default; a token's scope is always a ceiling):
 * <ol>
 *   <li>A request that names an on-behalf user is denied with
 *       {@link DenialReason#ON_BEHALF_NOT_PERMITTED} unless the token may act on behalf of users.</li>
 *   <li>A label outside the token's scope is denied with {@link DenialReason#OUTSIDE_TOKEN_SCOPE}.</li>
 *   <li><b>Direct request</b> (no on-behalf user):
 *     <ul>
 *       <li>a plain token (one that may not act on behalf of users) is allowed: its scope, set by
 *           an operator with {@code token create --labels PATTERN}, <em>is</em> its grant, so
 *           simple setups need no rules. But where a {@code token:<id>} rule for it covers the
 *           label, that rule decides instead, with its expiry and daily cap: an operator who caps
 *           or time-boxes a plain token's label gets exactly that, not the uncapped scope;</li>
 *       <li>a delegating token (the bot's) is a delegate, not an owner: its scope is only a ceiling,
 *           and its own direct requests need a {@code token:<id>} rule. So a bot token with scope
 *           {@code *} cannot fetch codes without naming a user.</li>
 *     </ul></li>
 *   <li><b>On-behalf request</b>: allowed iff an unexpired rule for {@code user:<id>}, for one
 *       of the user's groups, for one of the user's channels, or for the person the user was
 *       recognised as ({@code person:<id>}) matches the label. {@code token:}
 *       rules do not apply to on-behalf requests.</li>
 *   <li><b>Console request</b> ({@link Subject#consolePerson}): allowed iff an unexpired
 *       {@code person:<id>} rule for the signed-in person matches the label.</li>
 *   <li>Expired rules never match. When only expired rules would have matched, the reason is
 *       {@link DenialReason#GRANT_EXPIRED}, otherwise {@link DenialReason#NO_MATCHING_RULE}.</li>
 * </ol>
 * When several rules match, an uncapped rule is preferred, then the smallest id; the chosen rule
 * is reported for the audit trail. Daily caps are <em>not</em> enforced here (this class never
 * touches the database); {@link Authorizer} enforces them.
 *
 * <p>Thread-safe and immutable; {@link PolicyRepository#snapshot()} hands out a current one.
 */
public final class Policy {

    /** No rules: only plain tokens' own scopes grant anything. */
    public static final Policy EMPTY = new Policy(0, List.of());

    private static final Comparator<Rule> PREFERENCE =
            Comparator.comparing((Rule r) -> r.dailyCap().isPresent()).thenComparing(Rule::id);

    private final long version;
    private final List<Rule> rules;
    private final Map<Principal, List<Rule>> byPrincipal;

    /**
     * A snapshot of {@code rules} at policy {@code version}.
     *
     * @throws IllegalArgumentException when two rules share an id
     */
    public Policy(long version, Collection<Rule> rules) {
        this.version = version;
        List<Rule> sorted = new ArrayList<>(rules);
        sorted.sort(Comparator.comparing(Rule::id));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new IllegalArgumentException("Duplicate rule id " + sorted.get(i).id() + ": rule ids must be unique");
            }
        }
        this.rules = List.copyOf(sorted);
        Map<Principal, List<Rule>> index = new HashMap<>();
        for (Rule r : this.rules) {
            index.computeIfAbsent(r.principal(), k -> new ArrayList<>()).add(r);
        }
        index.replaceAll((k, v) -> List.copyOf(v));
        this.byPrincipal = Map.copyOf(index);
    }

    /** The policy version this snapshot was read at (0 for a policy built in memory). */
    public long version() {
        return version;
    }

    /** All rules, sorted by id. */
    public List<Rule> rules() {
        return rules;
    }

    /**
     * Decides whether {@code subject} may get {@code label} at {@code now}, ignoring daily caps.
     */
    public PolicyDecision decide(Subject subject, Label label, Instant now) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(now, "now");
        Subject.Token token = subject.token();
        if (subject.isOnBehalf() && !token.mayActOnBehalf()) {
            return new PolicyDecision.Denied(DenialReason.ON_BEHALF_NOT_PERMITTED);
        }
        if (!token.covers(label)) {
            return new PolicyDecision.Denied(DenialReason.OUTSIDE_TOKEN_SCOPE);
        }
        List<Rule> candidates = new ArrayList<>();
        boolean expiredMatch = collect(subject, label, now, candidates);
        if (!subject.isOnBehalf() && !token.mayActOnBehalf() && !token.holdsRole() && candidates.isEmpty() && !expiredMatch) {
            // No token: rule narrows this label, so the plain token's own scope is the grant. Not for a
            // token that holds a role: a role never yields a code, only a rule naming the token does.
            return PolicyDecision.Allowed.byTokenScope();
        }
        if (candidates.isEmpty()) {
            return new PolicyDecision.Denied(expiredMatch ? DenialReason.GRANT_EXPIRED : DenialReason.NO_MATCHING_RULE);
        }
        return PolicyDecision.Allowed.byRule(candidates.getFirst());
    }

    /**
     * The rules that can never match: channel rules by name from before channel rules took
     * stream ids ({@link Principal.LegacyChannelName}), sorted by id. Operators re-grant them by
     * stream id; {@code policy show} and {@code serve} list them.
     */
    public List<Rule> inertRules() {
        return rules.stream().filter(r -> r.principal() instanceof Principal.LegacyChannelName).toList();
    }

    /**
     * The labels among {@code all} that {@code subject} may get at {@code now} (daily caps
     * ignored), sorted: what {@code GET /labels} and {@code !mfa list} show.
     */
    public List<Label> listAllowed(Subject subject, Collection<Label> all, Instant now) {
        return all.stream().distinct().filter(l -> decide(subject, l, now).isAllowed()).sorted().toList();
    }

    /**
     * The unexpired rules that grant {@code label} to the subject, in order of preference; empty
     * when nothing matches. Only meaningful after {@link #decide} returned a rule.
     */
    List<Rule> grantingRules(Subject subject, Label label, Instant now) {
        List<Rule> out = new ArrayList<>();
        collect(subject, label, now, out);
        return out;
    }

    /** Adds matching unexpired rules to {@code out} (sorted by preference); returns whether an expired one matched. */
    private boolean collect(Subject subject, Label label, Instant now, List<Rule> out) {
        boolean expiredMatch = false;
        for (Principal p : principalsOf(subject)) {
            for (Rule r : byPrincipal.getOrDefault(p, List.of())) {
                if (!r.covers(label)) {
                    continue;
                }
                if (r.isActiveAt(now)) {
                    out.add(r);
                } else {
                    expiredMatch = true;
                }
            }
        }
        out.sort(PREFERENCE);
        return expiredMatch;
    }

    private static List<Principal> principalsOf(Subject subject) {
        if (subject.isConsolePerson()) {
            return List.of(new Principal.Person(subject.person().get()));
        }
        if (subject.onBehalf().isEmpty()) {
            return List.of(new Principal.ApiToken(subject.token().tokenId()));
        }
        Subject.OnBehalf user = subject.onBehalf().get();
        List<Principal> out = new ArrayList<>(1 + user.groupIds().size() + user.channelIds().size());
        out.add(new Principal.ZulipUser(user.userId()));
        user.groupIds().forEach(g -> out.add(new Principal.ZulipGroup(g)));
        user.channelIds().forEach(c -> out.add(new Principal.ZulipChannel(c)));
        subject.person().ifPresent(p -> out.add(new Principal.Person(p)));
        return out;
    }

    @Override
    public String toString() {
        return "Policy[version=" + version + ", " + rules.size() + " rules]";
    }
}
