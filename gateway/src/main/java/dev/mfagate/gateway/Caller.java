package dev.mfagate.gateway;

import dev.mfagate.core.LabelPattern;
import java.util.Objects;

/**
 * Who called the gateway, as established by the bearer token (or the demo mode).
 *
 * @param tokenId the token's public id ({@code demo} in demo mode)
 * @param tokenName the operator-given token name
 * @param scope the labels this token may ever reach
 * @param mayActOnBehalf whether the token may send on-behalf-of headers (the bot's token)
 */
public record Caller(String tokenId, String tokenName, LabelPattern scope, boolean mayActOnBehalf) {

    /** Validates presence. */
    public Caller {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(tokenName, "tokenName");
        Objects.requireNonNull(scope, "scope");
    }

    /** The caller every request has in demo mode: any label, directly or on behalf. */
    public static Caller demo() {
        return new Caller("demo", "demo", LabelPattern.parse("*"), true);
    }
}
