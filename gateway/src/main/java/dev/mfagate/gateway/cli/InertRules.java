package dev.mfagate.gateway.cli;

import dev.mfagate.core.policy.Policy;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import java.util.List;
import java.util.function.Consumer;

/**
 * The warning about rules that can never match: {@code channel-name:} rules kept from before channel
 * rules took Zulip stream ids. {@code policy show} prints it and {@code serve} logs it at start, so
 * an upgrade that silently took access away (on purpose: names can be imitated) is noticed, with
 * the exact commands that restore it by id.
 */
final class InertRules {

    private InertRules() {
    }

    /** Sends the warning, one line at a time, to {@code out}; nothing when there are no inert rules. */
    static void warn(Policy policy, Consumer<String> out) {
        List<Rule> inert = policy.inertRules();
        if (inert.isEmpty()) {
            return;
        }
        out.accept("WARNING: " + inert.size() + (inert.size() == 1 ? " grant names a channel" : " grants name channels")
                + " and never matches: channel rules take Zulip stream ids, because a channel name can be imitated"
                + " (#ops beside ops, look-alike letters). Re-grant each by the channel's stream id (its Zulip address shows"
                + " #narrow/channel/<id>-<name>), then revoke the old one:");
        for (Rule r : inert) {
            String name = ((Principal.LegacyChannelName) r.principal()).name();
            StringBuilder cmd = new StringBuilder("  #").append(name).append(": mfagate grant channel:<id of #").append(name)
                    .append("> '").append(r.pattern().value()).append('\'');
            r.dailyCap().ifPresent(c -> cmd.append(" --daily-cap ").append(c));
            r.expiresAt().ifPresent(t -> cmd.append(" (expires ").append(t).append(": give --expires accordingly)"));
            cmd.append(" && mfagate revoke ").append(r.id());
            out.accept(cmd.toString());
        }
        out.accept("  (or: mfagate policy export FILE, change each channel-name:<name> to channel:<id>, mfagate policy apply FILE --yes)");
    }
}
