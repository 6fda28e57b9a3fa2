package dev.mfagate.core.admin;

import dev.mfagate.core.audit.AuditQuery;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.store.TokenRepository;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantRepository;
import java.util.Objects;
import java.util.Optional;

/**
 * The services behind the admin API, wired once on a store: tenants and members, seeds, rules,
 * tokens and the audit, sharing one {@link AdminDesk}. Thread-safe; lives as long as its store.
 *
 * @param tenants tenants and role bindings
 * @param seeds a tenant's seeds
 * @param rules rules and grants
 * @param tokens tokens
 * @param audit the audit trail
 * @param tokenRepository where callers' tokens are looked up
 * @param people where console callers' role bindings are looked up
 */
public record AdminServices(TenantAdmin tenants, SeedAdmin seeds, RuleAdmin rules, TokenAdmin tokens, AuditAdmin audit,
                            TokenRepository tokenRepository, TenantRepository people) {

    /** Validates. */
    public AdminServices {
        Objects.requireNonNull(tenants, "tenants");
        Objects.requireNonNull(seeds, "seeds");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(tokenRepository, "tokenRepository");
        Objects.requireNonNull(people, "people");
    }

    /**
     * The services on {@code store}, changing rules through {@code policies} (the repository the
     * gateway's code path reads, so that a change counts at once on this instance), auditing to
     * {@code sink} as {@code instanceId}.
     */
    public static AdminServices of(Store store, PolicyRepository policies, AuditSink sink, String instanceId) {
        AdminDesk desk = new AdminDesk(sink, instanceId);
        TenantRepository tenants = new TenantRepository(store.database());
        AuditQuery query = new AuditQuery(store.database());
        return new AdminServices(new TenantAdmin(tenants, store.tokens(), desk), new SeedAdmin(store.seeds(), desk),
                new RuleAdmin(policies, desk),
                new TokenAdmin(store.tokens(), query, desk),
                new AuditAdmin(query, new AuditVerifier(store.database(), store.keyring().auditMac()), tenants, desk),
                store.tokens(), tenants);
    }

    /**
     * The caller an authenticated token is: its role and owner as stored; a token not in the store
     * (the demo token) is a caller without a role.
     */
    public AdminCaller caller(String tokenId) {
        Optional<AdminCaller> stored = tokenId.matches("[a-z2-7]{16}")
                ? tokenRepository.find(tokenId).map(t -> new AdminCaller(t.id(), t.role(), t.owner()))
                : Optional.empty();
        return stored.orElseGet(() -> new AdminCaller(tokenId, Optional.empty(), Scope.ORGANISATION));
    }

    /**
     * The caller a live console session is: its person and SSO group claims, holding the bindings
     * stored for them now (so a binding added or removed counts from the next request).
     */
    public AdminCaller caller(dev.mfagate.core.tenant.AdminActor actor, String sessionRef) {
        return AdminCaller.session(actor, sessionRef, people.all());
    }
}
