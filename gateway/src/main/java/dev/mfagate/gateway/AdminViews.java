package dev.mfagate.gateway;

import dev.mfagate.api.admin.AdminWire;
import dev.mfagate.core.admin.RuleAdmin;
import dev.mfagate.core.admin.SeedAdmin;
import dev.mfagate.core.admin.TenantAdmin;
import dev.mfagate.core.admin.TokenAdmin;
import dev.mfagate.core.store.CreatedToken;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.store.SeedInfo;
import dev.mfagate.core.store.TokenInfo;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.Tenant;
import dev.mfagate.core.tenant.TenantId;
import java.time.Instant;
import java.util.Optional;

/** Core values to the admin API's wire types ({@link AdminWire}); no secret has a field to go to. Stateless. */
final class AdminViews {

    private AdminViews() {
    }

    static AdminWire.Tenant tenant(Tenant t) {
        return new AdminWire.Tenant(t.id().value(), t.createdAt().toString());
    }

    static AdminWire.TenantCreated created(TenantAdmin.Created c) {
        return new AdminWire.TenantCreated(c.tenant().id().value(), c.tenant().createdAt().toString(),
                c.adminToken().map(AdminViews::created).orElse(null));
    }

    /** The one answer that carries a token's secret: the answer that creates it. */
    static AdminWire.CreatedToken created(CreatedToken t) {
        return new AdminWire.CreatedToken(token(t.info(), Optional.empty()), t.plaintext());
    }

    static AdminWire.Member member(RoleBinding b) {
        return new AdminWire.Member(b.holder().text(), b.role().text(), tenant(b.scope()), b.createdBy(),
                b.createdAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
    }

    static AdminWire.Seed seed(SeedInfo i, Optional<Instant> disabledAt) {
        return new AdminWire.Seed(i.label().value(), i.algorithm().name(), i.digits(), i.periodSeconds(), i.issuer(),
                i.accountName(), i.version(), i.createdAt().toString(), text(disabledAt));
    }

    static AdminWire.Seed seed(SeedAdmin.Listed l) {
        return seed(l.info(), l.disabledAt());
    }

    static AdminWire.Rule rule(RuleAdmin.Owned o) {
        var r = o.rule();
        return new AdminWire.Rule(r.id(), r.principal().text(), r.pattern().value(), tenant(o.owner()), text(r.expiresAt()),
                r.dailyCap().isPresent() ? r.dailyCap().getAsInt() : null, r.createdBy(), r.createdAt().toString());
    }

    static AdminWire.Token token(TokenInfo t, Optional<Instant> lastUsedAt) {
        return new AdminWire.Token(t.id(), t.name(), tenant(t.owner()), t.role().map(Role::text).orElse(null), t.labelPattern(),
                t.onBehalfOf(), t.createdAt().toString(), text(t.expiresAt()), text(t.revokedAt()), text(lastUsedAt));
    }

    static AdminWire.Token token(TokenAdmin.Listed l) {
        return token(l.info(), l.lastUsedAt());
    }

    static AdminWire.AuditEntry audit(AuditEntry entry) {
        AuditEvent e = entry.event();
        return new AdminWire.AuditEntry(entry.seq(), e.time().toString(), e.outcome().name(), e.requestId(), e.route(),
                e.tokenId(), e.zulipUserId(), e.zulipEmail(), e.label(), e.reason(), e.ruleId(), e.remoteAddress(),
                e.instanceId(), e.detail());
    }

    private static String tenant(Scope s) {
        return s.tenant().map(TenantId::value).orElse(null);
    }

    private static String text(Optional<Instant> t) {
        return t.map(Instant::toString).orElse(null);
    }
}
