package dev.mfagate.core.admin;

import dev.mfagate.core.store.CreatedToken;
import dev.mfagate.core.store.DuplicateTokenNameException;
import dev.mfagate.core.store.TokenInfo;
import dev.mfagate.core.store.TokenRepository;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Decision;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.Tenant;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Tenants and members (role bindings) over the admin API: list and create tenants (an operator
 * names their first admins), show one, and add, list and remove role bindings in a tenant or the
 * organisation. Every answer is a value ({@link AdminResult}); every act audited by the
 * {@link AdminDesk}. Thread-safe.
 */
public final class TenantAdmin {

    /**
     * A tenant just created.
     *
     * @param tenant the tenant
     * @param adminToken its first admin token, when one was asked for: its secret is shown this once
     */
    public record Created(Tenant tenant, Optional<CreatedToken> adminToken) {
        /** Validates. */
        public Created {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(adminToken, "adminToken");
        }
    }

    private final TenantRepository tenants;
    private final TokenRepository tokens;
    private final AdminDesk desk;

    /** A service over {@code tenants}, creating first admin tokens in {@code tokens}. */
    public TenantAdmin(TenantRepository tenants, TokenRepository tokens, AdminDesk desk) {
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.desk = Objects.requireNonNull(desk, "desk");
    }

    /** The tenants the caller may see, by id; a caller who sees none gets an empty list. */
    public AdminResult<List<Tenant>> list(AdminRequest r) {
        List<Tenant> visible = tenants.tenants().stream()
                .filter(t -> AdminDesk.decide(r.caller(), Resource.TENANT, Action.READ, t.id()) == Decision.ALLOW)
                .toList();
        desk.read(r, "listed " + visible.size() + " tenant(s)");
        return new AdminResult.Done<>(visible);
    }

    /** The tenant of the request's target. */
    public AdminResult<Tenant> show(AdminRequest r) {
        Optional<AdminResult.Refused<Tenant>> refused = desk.authorize(r, Resource.TENANT, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<Tenant> tenant = find(r.target());
        if (tenant.isEmpty()) {
            return AdminResult.notFound();
        }
        desk.read(r, "showed the tenant");
        return new AdminResult.Done<>(tenant.get());
    }

    /**
     * Creates tenant {@code id} with {@code admins} as its first admins (holders such as
     * {@code person:ann} or {@code group:7}) and, when {@code adminTokenName} is given, a first
     * admin token (labels {@code <id>-*}); the request's target is the organisation. Every holder
     * and the token name are checked before anything is written.
     */
    public AdminResult<Created> create(AdminRequest r, String id, List<String> admins, String adminTokenName) {
        Optional<AdminResult.Refused<Created>> refused = desk.authorize(r, Resource.TENANT, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        TenantId tenant;
        List<Holder> holders = new ArrayList<>();
        try {
            tenant = TenantId.parseNew(Objects.requireNonNullElse(id, ""));
            for (String a : admins) {
                Holder h = Holder.parse(Objects.requireNonNullElse(a, ""));
                new RoleBinding(h, Role.ADMIN, tenant, "check", r.now());
                if (h instanceof Holder.PersonHolder p && tenants.person(p.person()).isEmpty()) {
                    return AdminResult.invalid("No person " + p.person().shown() + "; add them first (mfagate person add)");
                }
                holders.add(h);
            }
            if (adminTokenName != null) {
                String name = TokenInfo.newName(adminTokenName);
                if (tokens.list().stream().anyMatch(t -> t.name().equals(name) || t.id().equals(name))) {
                    return AdminResult.conflict("A token with that name exists already; pick another name");
                }
            }
        } catch (IllegalArgumentException e) {
            return AdminResult.invalid(e.getMessage());
        }
        // addTenant answers whether it added the tenant: one made by another admin at the same moment is
        // refused here too, rather than given this request's admins and token.
        if (tenants.exists(tenant) || !tenants.addTenant(tenant, r.now())) {
            return AdminResult.conflict("Tenant " + tenant + " exists already");
        }
        for (Holder h : holders) {
            tenants.bind(new RoleBinding(h, Role.ADMIN, tenant, r.caller().describe(), r.now()));
        }
        Optional<CreatedToken> token = Optional.empty();
        if (adminTokenName != null) {
            try {
                token = Optional.of(tokens.create(adminTokenName, tenant.value() + "-*", false, Optional.empty(), r.now(),
                        tenant, Optional.of(Role.ADMIN)));
            } catch (DuplicateTokenNameException e) {
                return AdminResult.conflict("A token with that name exists already; pick another name");
            } catch (IllegalArgumentException e) {
                return AdminResult.invalid(e.getMessage());
            }
        }
        AdminRequest inTenant = new AdminRequest(r.caller(), tenant, r.meta(), r.now());
        desk.changed(inTenant, "tenant-add", null, null, "added tenant " + tenant
                + (holders.isEmpty() ? "" : " with admins " + String.join(", ", holders.stream().map(Holder::text).toList()))
                + token.map(t -> "; created admin token " + t.info().id() + " '" + t.info().name() + "'").orElse(""));
        return new AdminResult.Done<>(new Created(find(tenant).orElseThrow(), token));
    }

    /** The role bindings of the request's target (a tenant, or the organisation roles). */
    public AdminResult<List<RoleBinding>> members(AdminRequest r) {
        Optional<AdminResult.Refused<List<RoleBinding>>> refused = checked(r, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        List<RoleBinding> bindings = tenants.bindings(r.target());
        desk.read(r, "listed " + bindings.size() + " member binding(s)");
        return new AdminResult.Done<>(bindings);
    }

    /** Gives {@code holder} {@code role} in the request's target. */
    public AdminResult<RoleBinding> addMember(AdminRequest r, String holder, String role) {
        Optional<AdminResult.Refused<RoleBinding>> refused = checked(r, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        RoleBinding binding;
        try {
            binding = new RoleBinding(Holder.parse(Objects.requireNonNullElse(holder, "")),
                    Role.parse(Objects.requireNonNullElse(role, "")), r.target(), r.caller().describe(), r.now());
            if (binding.holder() instanceof Holder.PersonHolder p && tenants.person(p.person()).isEmpty()) {
                return AdminResult.invalid("No person " + p.person().shown() + "; add them first (mfagate person add)");
            }
        } catch (IllegalArgumentException e) {
            return AdminResult.invalid(e.getMessage());
        }
        if (!tenants.bind(binding)) {
            return AdminResult.conflict(binding.holder().text() + " holds " + binding.role().text() + " here already");
        }
        desk.changed(r, "member-add", null, null, "gave " + binding.holder().text() + " role " + binding.role().text());
        return new AdminResult.Done<>(binding);
    }

    /** Takes {@code role} in the request's target from {@code holder}. */
    public AdminResult<Boolean> removeMember(AdminRequest r, String holder, String role) {
        Optional<AdminResult.Refused<Boolean>> refused = checked(r, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        Holder h;
        Role ro;
        try {
            h = Holder.parse(Objects.requireNonNullElse(holder, ""));
            ro = Role.parse(Objects.requireNonNullElse(role, ""));
        } catch (IllegalArgumentException e) {
            return AdminResult.invalid(e.getMessage());
        }
        if (!tenants.unbind(h, ro, r.target())) {
            return AdminResult.notFound();
        }
        desk.changed(r, "member-remove", null, null, "took role " + ro.text() + " from " + h.text());
        return new AdminResult.Done<>(true);
    }

    /** Authorises {@code MEMBERS} in the target, then requires the target tenant to exist. */
    private <T> Optional<AdminResult.Refused<T>> checked(AdminRequest r, Action action) {
        Optional<AdminResult.Refused<T>> refused = desk.authorize(r, Resource.MEMBERS, action);
        if (refused.isPresent()) {
            return refused;
        }
        if (!r.target().isOrganisation() && find(r.target()).isEmpty()) {
            return Optional.of((AdminResult.Refused<T>) AdminResult.<T>notFound());
        }
        return Optional.empty();
    }

    private Optional<Tenant> find(Scope scope) {
        return scope.tenant().flatMap(t -> tenants.tenants().stream().filter(x -> x.id().equals(t)).findFirst());
    }
}
