package dev.mfagate.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The wire types of the admin API under {@code /api/v1/}: request bodies and answers, as the OpenAPI
 * document describes them. Times are ISO-8601 instants in UTC; absent values are left out. No type
 * here has a field for a seed; {@link CreatedToken#secret()} is the one place a token appears, in
 * the answer that creates it.
 */
public final class AdminWire {

    private AdminWire() {
    }

    /**
     * {@code POST /api/v1/tenants}.
     *
     * @param tenant the tenant id (a label's client part)
     * @param admins holders made its admins, such as {@code person:ann}
     * @param adminToken the name of a first admin token to create for it, if one is wanted
     */
    public record TenantCreate(@JsonProperty("tenant") String tenant, @JsonProperty("admins") List<String> admins,
                               @JsonProperty("admin_token") String adminToken) {
    }

    /**
     * A tenant just created.
     *
     * @param tenant its id
     * @param createdAt when
     * @param adminToken its first admin token, when one was asked for: the secret is shown this once
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TenantCreated(@JsonProperty("tenant") String tenant, @JsonProperty("created_at") String createdAt,
                                @JsonProperty("admin_token") CreatedToken adminToken) {
    }

    /** A tenant. @param tenant its id @param createdAt when it was created */
    public record Tenant(@JsonProperty("tenant") String tenant, @JsonProperty("created_at") String createdAt) {
    }

    /** A list of tenants. @param tenants the tenants */
    public record Tenants(@JsonProperty("tenants") List<Tenant> tenants) {
    }

    /** {@code POST .../members}. @param holder {@code person:<id>}, {@code group:<id>}, {@code sso-group:<claim>} @param role the role */
    public record MemberAdd(@JsonProperty("holder") String holder, @JsonProperty("role") String role) {
    }

    /**
     * A role binding.
     *
     * @param holder who
     * @param role what
     * @param tenant where, or absent for the organisation
     * @param createdBy who gave it
     * @param createdAt when
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Member(@JsonProperty("holder") String holder, @JsonProperty("role") String role,
                         @JsonProperty("tenant") String tenant, @JsonProperty("created_by") String createdBy,
                         @JsonProperty("created_at") String createdAt) {
    }

    /** A list of role bindings. @param members the bindings */
    public record Members(@JsonProperty("members") List<Member> members) {
    }

    /**
     * {@code POST .../seeds} as JSON.
     *
     * @param labels one label per seed, in the order the seeds come
     * @param text base32 secrets, {@code otpauth://} or {@code otpauth-migration://} URIs, one per line
     */
    public record SeedUpload(@JsonProperty("labels") List<String> labels, @JsonProperty("text") String text) {
    }

    /**
     * A stored seed's metadata, never its secret.
     *
     * @param label its label
     * @param algorithm SHA1, SHA256 or SHA512
     * @param digits code length
     * @param period step in seconds
     * @param issuer the issuer it was imported with, if any
     * @param accountName the account name it was imported with, if any
     * @param version its version
     * @param createdAt when this version was stored
     * @param disabledAt when it was disabled, if it was
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Seed(@JsonProperty("label") String label, @JsonProperty("algorithm") String algorithm,
                       @JsonProperty("digits") int digits, @JsonProperty("period") long period,
                       @JsonProperty("issuer") String issuer, @JsonProperty("account_name") String accountName,
                       @JsonProperty("version") int version, @JsonProperty("created_at") String createdAt,
                       @JsonProperty("disabled_at") String disabledAt) {
    }

    /** A list of seeds. @param seeds the seeds */
    public record Seeds(@JsonProperty("seeds") List<Seed> seeds) {
    }

    /**
     * {@code POST .../rules}.
     *
     * @param id the rule id, or absent for a random one
     * @param principal {@code user:<id>}, {@code group:<id>}, {@code channel:<id>}, {@code token:<id>}, {@code person:<id>}
     * @param pattern the labels, a glob inside the tenant
     * @param expiresAt when the grant ends, if ever
     * @param dailyCap codes per principal and label each UTC day, if capped
     */
    public record RuleCreate(@JsonProperty("id") String id, @JsonProperty("principal") String principal,
                             @JsonProperty("pattern") String pattern, @JsonProperty("expires_at") String expiresAt,
                             @JsonProperty("daily_cap") Integer dailyCap) {
    }

    /**
     * A rule.
     *
     * @param id its id
     * @param principal who it grants
     * @param pattern the labels
     * @param tenant its owner, or absent for the organisation
     * @param expiresAt when it ends, if ever
     * @param dailyCap its daily cap, if any
     * @param createdBy who made it
     * @param createdAt when
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rule(@JsonProperty("id") String id, @JsonProperty("principal") String principal,
                       @JsonProperty("pattern") String pattern, @JsonProperty("tenant") String tenant,
                       @JsonProperty("expires_at") String expiresAt, @JsonProperty("daily_cap") Integer dailyCap,
                       @JsonProperty("created_by") String createdBy, @JsonProperty("created_at") String createdAt) {
    }

    /** A list of rules. @param rules the rules */
    public record Rules(@JsonProperty("rules") List<Rule> rules) {
    }

    /** Who may get a label: the unexpired rules that cover it. @param label the label @param rules the rules */
    public record Access(@JsonProperty("label") String label, @JsonProperty("rules") List<Rule> rules) {
    }

    /**
     * {@code POST .../tokens}.
     *
     * @param name a unique name
     * @param role the role it holds in the tenant (or organisation), or absent for a code token
     * @param labels its label pattern, or absent for all of the tenant's labels
     * @param onBehalf whether it may ask on behalf of Zulip users
     * @param expiresAt when it stops working, if ever
     */
    public record TokenCreate(@JsonProperty("name") String name, @JsonProperty("role") String role,
                              @JsonProperty("labels") String labels, @JsonProperty("on_behalf") Boolean onBehalf,
                              @JsonProperty("expires_at") String expiresAt) {
    }

    /**
     * A token, never its secret.
     *
     * @param id its public id
     * @param name its name
     * @param tenant its owner, or absent for the organisation
     * @param role its role, or absent for a code token
     * @param labels its label pattern
     * @param onBehalf whether it may ask on behalf of users
     * @param createdAt when it was made
     * @param expiresAt when it expires, if ever
     * @param revokedAt when it was revoked, if it was
     * @param lastUsedAt its newest audit entry's time, if any
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Token(@JsonProperty("id") String id, @JsonProperty("name") String name,
                        @JsonProperty("tenant") String tenant, @JsonProperty("role") String role,
                        @JsonProperty("labels") String labels, @JsonProperty("on_behalf") boolean onBehalf,
                        @JsonProperty("created_at") String createdAt, @JsonProperty("expires_at") String expiresAt,
                        @JsonProperty("revoked_at") String revokedAt, @JsonProperty("last_used_at") String lastUsedAt) {
    }

    /** A list of tokens. @param tokens the tokens */
    public record Tokens(@JsonProperty("tokens") List<Token> tokens) {
    }

    /** A token just made: shown this once. @param token its description @param secret the token itself */
    public record CreatedToken(@JsonProperty("token") Token token, @JsonProperty("secret") String secret) {
        /** Shows the description, never the secret. */
        @Override
        public String toString() {
            return "CreatedToken[" + token + ", secret hidden]";
        }
    }

    /**
     * One audit entry.
     *
     * @param seq its sequence number
     * @param time when
     * @param outcome what happened
     * @param requestId the request id
     * @param route the route or command
     * @param tokenId the token's public id
     * @param zulipUserId the on-behalf Zulip user
     * @param zulipEmail the on-behalf user's email
     * @param label the label
     * @param reason why
     * @param ruleId the rule
     * @param remoteAddress the client address
     * @param instanceId the instance that wrote it
     * @param detail what an admin act changed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuditEntry(@JsonProperty("seq") long seq, @JsonProperty("time") String time,
                             @JsonProperty("outcome") String outcome, @JsonProperty("request_id") String requestId,
                             @JsonProperty("route") String route, @JsonProperty("token_id") String tokenId,
                             @JsonProperty("zulip_user_id") Long zulipUserId, @JsonProperty("zulip_email") String zulipEmail,
                             @JsonProperty("label") String label, @JsonProperty("reason") String reason,
                             @JsonProperty("rule_id") String ruleId, @JsonProperty("remote_address") String remoteAddress,
                             @JsonProperty("instance_id") String instanceId, @JsonProperty("detail") String detail) {
    }

    /** A page of audit entries. @param entries the entries @param nextAfter the {@code after} of the next page, when there may be one */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuditPage(@JsonProperty("entries") List<AuditEntry> entries, @JsonProperty("next_after") Long nextAfter) {
    }

    /**
     * The audit chain's status.
     *
     * @param intact whether the whole chain verifies
     * @param description what the verifier found
     */
    public record ChainStatus(@JsonProperty("intact") boolean intact, @JsonProperty("description") String description) {
    }

    /** The answer of a change that returns nothing else. @param status what happened, such as {@code removed} */
    public record Status(@JsonProperty("status") String status) {
    }
}
