package dev.mfagate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random policies and requests against a reference evaluator written separately here: plain
 * loops over the spec, regex glob matching, no code shared with {@link Policy}.
 */
class PolicyPropertyTest {

    static final Instant NOW = Instant.parse("2025-11-02T10:00:00Z");
    static final List<String> PATTERNS = List.of("*", "acme-*", "acme-aws", "beta-*", "*-aws", "*a*", "acme-aws-*", "*-db", "gamma-x");
    static final List<String> LABELS = List.of("acme-aws", "acme-aws-prod", "acme-db", "beta-aws", "beta-db", "gamma-x");
    static final List<String> PRINCIPALS = List.of("user:1", "user:2", "user:3", "group:1", "group:2", "group:3",
            "channel:1", "channel:2", "channel:3", "channel-name:1", "channel-name:a", "token:t1", "token:t2");

    record Request(String tokenId, String scope, boolean onBehalfFlag, Optional<Long> user, Set<Long> groups,
                   Set<Long> channels, String label) {
    }

    @Provide
    Arbitrary<List<Rule>> policies() {
        Arbitrary<Rule> rule = Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.of(PRINCIPALS),
                Arbitraries.of(PATTERNS),
                Arbitraries.of(-1, 0, 1), // expiry: none, past, future
                Arbitraries.of(0, 2)      // cap: none, 2
        ).as((id, principal, pattern, expiry, cap) -> new Rule("r" + id, Principal.parse(principal), LabelPattern.parse(pattern),
                expiry == -1 ? Optional.empty() : Optional.of(expiry == 0 ? NOW.minusSeconds(5) : NOW.plusSeconds(5)),
                cap == 0 ? OptionalInt.empty() : OptionalInt.of(cap), "prop", NOW.minusSeconds(100)));
        return rule.list().ofMaxSize(8).uniqueElements(Rule::id);
    }

    @Provide
    Arbitrary<Request> requests() {
        return Combinators.combine(
                Arbitraries.of("t1", "t2"),
                Arbitraries.of(PATTERNS),
                Arbitraries.of(true, false),
                Arbitraries.of(1L, 2L, 3L).optional(),
                Arbitraries.of(1L, 2L, 3L).set().ofMaxSize(3),
                Arbitraries.of(1L, 2L, 3L).set().ofMaxSize(3),
                Arbitraries.of(LABELS)
        ).as(Request::new);
    }

    @Property(tries = 10_000)
    void decide_randomPolicyAndRequest_matchesReference(@ForAll("policies") List<Rule> rules, @ForAll("requests") Request req) {
        Subject subject = toSubject(req);
        PolicyDecision actual = new Policy(1, rules).decide(subject, Label.parse(req.label()), NOW);
        assertThat(render(actual)).isEqualTo(reference(rules, req));
    }

    @Property(tries = 1_000)
    void listAllowed_randomPolicy_equalsReferenceFilter(@ForAll("policies") List<Rule> rules, @ForAll("requests") Request req) {
        Subject subject = toSubject(req);
        List<Label> all = LABELS.stream().map(Label::parse).toList();
        List<String> actual = new Policy(1, rules).listAllowed(subject, all, NOW).stream().map(Label::value).toList();
        List<String> expected = new ArrayList<>();
        for (String l : LABELS) {
            Request one = new Request(req.tokenId(), req.scope(), req.onBehalfFlag(), req.user(), req.groups(), req.channels(), l);
            if (reference(rules, one).startsWith("ALLOW")) {
                expected.add(l);
            }
        }
        expected.sort(null);
        assertThat(actual).isEqualTo(expected);
    }

    static Subject toSubject(Request req) {
        Subject.Token token = new Subject.Token(req.tokenId(), LabelPattern.parse(req.scope()), req.onBehalfFlag());
        return req.user().isEmpty() ? Subject.direct(token)
                : Subject.onBehalf(token, new Subject.OnBehalf(req.user().get(), Optional.empty(), req.groups(), req.channels()));
    }

    static String render(PolicyDecision d) {
        if (d instanceof PolicyDecision.Allowed a) {
            return "ALLOW:" + a.rule().map(Rule::id).orElse("scope");
        }
        return "DENY:" + ((PolicyDecision.Denied) d).reason();
    }

    /** The reference: the spec in plain loops. */
    static String reference(List<Rule> rules, Request req) {
        boolean onBehalf = req.user().isPresent();
        if (onBehalf && !req.onBehalfFlag()) {
            return "DENY:ON_BEHALF_NOT_PERMITTED";
        }
        if (!glob(req.scope(), req.label())) {
            return "DENY:OUTSIDE_TOKEN_SCOPE";
        }
        boolean plainDirect = !onBehalf && !req.onBehalfFlag();
        Set<String> mine = new HashSet<>();
        if (onBehalf) {
            mine.add("user:" + req.user().get());
            for (long g : req.groups()) {
                mine.add("group:" + g);
            }
            for (long c : req.channels()) {
                mine.add("channel:" + c);
            }
        } else {
            mine.add("token:" + req.tokenId());
        }
        String bestUncapped = null;
        String bestCapped = null;
        boolean sawExpired = false;
        for (Rule r : rules) {
            if (!mine.contains(r.principal().text()) || !glob(r.pattern().value(), req.label())) {
                continue;
            }
            boolean active = r.expiresAt().isEmpty() || r.expiresAt().get().isAfter(NOW);
            if (!active) {
                sawExpired = true;
                continue;
            }
            if (r.dailyCap().isEmpty()) {
                if (bestUncapped == null || r.id().compareTo(bestUncapped) < 0) {
                    bestUncapped = r.id();
                }
            } else if (bestCapped == null || r.id().compareTo(bestCapped) < 0) {
                bestCapped = r.id();
            }
        }
        if (plainDirect && bestUncapped == null && bestCapped == null && !sawExpired) {
            return "ALLOW:scope"; // no token: rule covers the label, so the plain token's scope grants it
        }
        if (bestUncapped != null) {
            return "ALLOW:" + bestUncapped;
        }
        if (bestCapped != null) {
            return "ALLOW:" + bestCapped;
        }
        return sawExpired ? "DENY:GRANT_EXPIRED" : "DENY:NO_MATCHING_RULE";
    }

    static boolean glob(String pattern, String text) {
        List<String> parts = new ArrayList<>();
        for (String part : pattern.split("\\*", -1)) {
            parts.add(Pattern.quote(part));
        }
        return text.matches(String.join(".*", parts));
    }
}
