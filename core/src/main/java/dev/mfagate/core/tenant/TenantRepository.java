package dev.mfagate.core.tenant;

import dev.mfagate.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Tenants, people with their identities, and role bindings in the store (SQLite or PostgreSQL),
 * read and written straight through (no cache: administration is rare and must be seen at once).
 *
 * <p>Every change is one transaction and refuses bad input with an {@link IllegalArgumentException}
 * whose message says what to do instead, having written nothing. The seed, token and rule paths
 * call {@link #ensure} in their own transactions, so adding any of them for a new client creates
 * the client's tenant.
 *
 * <p>Thread-safe; holds no resources. Out of scope: who may make a change ({@link AdminAuthorizer})
 * and auditing it (the caller writes an {@code ADMIN} entry).
 */
public final class TenantRepository {

    private final Database db;

    /** A repository over {@code db}. */
    public TenantRepository(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Creates {@code tenant} in the transaction of {@code h} unless it exists. */
    public static void ensure(Handle h, TenantId tenant, Instant now) {
        h.createUpdate("INSERT INTO tenant (id, created_at_ms) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")
                .bind(0, tenant.value()).bind(1, now.toEpochMilli()).execute();
    }

    /** Creates the tenant that {@code owner} names, if it is one, in the transaction of {@code h}. */
    public static void ensure(Handle h, Scope owner, Instant now) {
        owner.tenant().ifPresent(t -> ensure(h, t, now));
    }

    /**
     * Adds a tenant.
     *
     * @return false when it existed already (nothing changed)
     */
    public boolean addTenant(TenantId tenant, Instant now) {
        Objects.requireNonNull(tenant, "tenant");
        return db.jdbi().inTransaction(h -> h.createUpdate(
                        "INSERT INTO tenant (id, created_at_ms) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")
                .bind(0, tenant.value()).bind(1, now.toEpochMilli()).execute() > 0);
    }

    /** Every tenant, by id. */
    public List<Tenant> tenants() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT id, created_at_ms FROM tenant ORDER BY id")
                .map((rs, ctx) -> new Tenant(new TenantId(rs.getString(1)), Instant.ofEpochMilli(rs.getLong(2)))).list());
    }

    /** Whether {@code tenant} exists. */
    public boolean exists(TenantId tenant) {
        return db.jdbi().withHandle(h -> exists(h, tenant));
    }

    /**
     * Refuses a role in a tenant that does not exist: a role binding, or an admin token. (A seed, a
     * rule or a code token creates its tenant when missing; a role in one is more likely a typo.)
     *
     * @throws IllegalArgumentException naming the tenant and how to add it
     */
    public static void requireTenant(Handle h, TenantId tenant) {
        if (!exists(h, tenant)) {
            throw new IllegalArgumentException("No tenant " + tenant + "; add it first (mfagate tenant add " + tenant + ")");
        }
    }

    private static boolean exists(Handle h, TenantId tenant) {
        return h.createQuery("SELECT 1 FROM tenant WHERE id = :id").bind("id", tenant.value())
                .mapTo(Integer.class).findOne().isPresent();
    }

    /**
     * Adds a person without identities.
     *
     * @throws IllegalArgumentException if the id is taken or the name is invalid
     */
    public Person addPerson(PersonId id, String displayName, Instant now) {
        Objects.requireNonNull(id, "id");
        Person.requireDisplayName(displayName);
        db.jdbi().useTransaction(h -> {
            if (personExists(h, id)) {
                throw new IllegalArgumentException("A person with id " + id + " exists; choose another id");
            }
            h.createUpdate("INSERT INTO person (id, display_name, created_at_ms) VALUES (:id, :name, :at)")
                    .bind("id", id.value()).bind("name", displayName).bind("at", now.toEpochMilli()).execute();
        });
        return new Person(id, displayName, List.of(), Instant.ofEpochMilli(now.toEpochMilli()));
    }

    /**
     * Links {@code identity} to {@code person}.
     *
     * @return false when it was linked to that person already (nothing changed)
     * @throws IllegalArgumentException if the person does not exist or the identity is another person's
     */
    public boolean link(PersonId person, Identity identity, Instant now) {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(identity, "identity");
        return db.jdbi().inTransaction(h -> {
            requirePerson(h, person);
            Optional<String> owner = h.createQuery("SELECT person_id FROM person_identity WHERE kind = :k AND value = :v")
                    .bind("k", identity.kind()).bind("v", identity.value()).mapTo(String.class).findOne();
            if (owner.isPresent()) {
                if (owner.get().equals(person.value())) {
                    return false;
                }
                throw new IllegalArgumentException("That " + identity.kind() + " identity belongs to person " + owner.get()
                        + "; unlink it there first");
            }
            h.createUpdate("INSERT INTO person_identity (kind, value, person_id, created_at_ms) VALUES (:k, :v, :p, :at)")
                    .bind("k", identity.kind()).bind("v", identity.value()).bind("p", person.value())
                    .bind("at", now.toEpochMilli()).execute();
            return true;
        });
    }

    /**
     * Unlinks {@code identity} from {@code person}.
     *
     * @return whether it was linked to that person
     */
    public boolean unlink(PersonId person, Identity identity) {
        return db.jdbi().inTransaction(h -> h.createUpdate(
                        "DELETE FROM person_identity WHERE kind = :k AND value = :v AND person_id = :p")
                .bind("k", identity.kind()).bind("v", identity.value()).bind("p", person.value()).execute() > 0);
    }

    /** The person {@code identity} recognises, if any. */
    public Optional<PersonId> personOf(Identity identity) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT person_id FROM person_identity WHERE kind = :k AND value = :v")
                .bind("k", identity.kind()).bind("v", identity.value()).mapTo(String.class).findOne().map(PersonId::new));
    }

    /** Every person with their identities, by id. */
    public List<Person> people() {
        return db.jdbi().withHandle(h -> {
            Map<String, List<Identity>> identities = new LinkedHashMap<>();
            h.createQuery("SELECT person_id, kind, value FROM person_identity ORDER BY person_id, kind, value")
                    .map((rs, ctx) -> {
                        identities.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                .add(Identity.of(rs.getString(2), rs.getString(3)));
                        return 0;
                    }).list();
            return h.createQuery("SELECT id, display_name, created_at_ms FROM person ORDER BY id")
                    .map((rs, ctx) -> new Person(new PersonId(rs.getString(1)), rs.getString(2),
                            identities.getOrDefault(rs.getString(1), List.of()), Instant.ofEpochMilli(rs.getLong(3))))
                    .list();
        });
    }

    /** The person with {@code id}, if any. */
    public Optional<Person> person(PersonId id) {
        return people().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /**
     * Adds a role binding. A person holder must exist, and so must a tenant the binding names.
     *
     * @return false when the same holder held the same role there already (nothing changed)
     * @throws IllegalArgumentException naming what is missing
     */
    public boolean bind(RoleBinding binding) {
        Objects.requireNonNull(binding, "binding");
        return db.jdbi().inTransaction(h -> {
            if (binding.holder() instanceof Holder.PersonHolder p) {
                requirePerson(h, p.person());
            }
            binding.scope().tenant().ifPresent(t -> requireTenant(h, t));
            if (find(h, binding.holder(), binding.role(), binding.scope())) {
                return false;
            }
            h.createUpdate("INSERT INTO role_binding (holder, role, tenant_id, created_by, created_at_ms)"
                            + " VALUES (:holder, :role, :tenant, :by, :at)")
                    .bind("holder", binding.holder().text()).bind("role", binding.role().text())
                    .bind("tenant", binding.scope().toColumn()).bind("by", binding.createdBy())
                    .bind("at", binding.createdAt().toEpochMilli()).execute();
            return true;
        });
    }

    /**
     * Removes the binding of {@code role} in {@code scope} from {@code holder}.
     *
     * @return whether there was one
     */
    public boolean unbind(Holder holder, Role role, Scope scope) {
        return db.jdbi().inTransaction(h -> h.createUpdate("DELETE FROM role_binding WHERE holder = :holder AND role = :role"
                        + " AND coalesce(tenant_id, '') = :tenant")
                .bind("holder", holder.text()).bind("role", role.text())
                .bind("tenant", scope.tenant().map(TenantId::value).orElse("")).execute() > 0);
    }

    /** The bindings in {@code scope} (one tenant, or the organisation roles), by holder and role. */
    public List<RoleBinding> bindings(Scope scope) {
        return all().stream().filter(b -> b.scope().equals(scope)).toList();
    }

    /** The bindings any of {@code holders} hold: what an actor recognised as those holders may do. */
    public List<RoleBinding> bindingsOf(Collection<? extends Holder> holders) {
        List<String> texts = holders.stream().map(Holder::text).toList();
        return all().stream().filter(b -> texts.contains(b.holder().text())).toList();
    }

    /** Every binding, ordered by tenant (organisation first), holder and role. */
    public List<RoleBinding> all() {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT holder, role, tenant_id, created_by, created_at_ms FROM role_binding")
                .map((rs, ctx) -> readBinding(rs)).list()).stream()
                .sorted(Comparator.comparing((RoleBinding b) -> b.scope().tenant().map(TenantId::value).orElse(""))
                        .thenComparing(b -> b.holder().text()).thenComparing(RoleBinding::role))
                .toList();
    }

    private static boolean find(Handle h, Holder holder, Role role, Scope scope) {
        return h.createQuery("SELECT 1 FROM role_binding WHERE holder = :holder AND role = :role"
                        + " AND coalesce(tenant_id, '') = :tenant")
                .bind("holder", holder.text()).bind("role", role.text())
                .bind("tenant", scope.tenant().map(TenantId::value).orElse(""))
                .mapTo(Integer.class).findOne().isPresent();
    }

    private static RoleBinding readBinding(ResultSet rs) throws SQLException {
        return new RoleBinding(Holder.parse(rs.getString(1)), Role.parse(rs.getString(2)), Scope.fromColumn(rs.getString(3)),
                rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)));
    }

    private static boolean personExists(Handle h, PersonId id) {
        return h.createQuery("SELECT 1 FROM person WHERE id = :id").bind("id", id.value())
                .mapTo(Integer.class).findOne().isPresent();
    }

    /**
     * Refuses a person the store does not hold.
     *
     * @throws IllegalArgumentException naming the person and how to add them
     */
    public static void requirePerson(Handle h, PersonId id) {
        if (!personExists(h, id)) {
            // A secret-shaped id (a seed pasted where a person belongs) is not quoted back.
            throw new IllegalArgumentException(dev.mfagate.api.LabelGrammar.mayBeSecret(id.value())
                    ? "No person " + id.shown() + "; add them first (mfagate person add ID NAME)"
                    : "No person " + id + "; add them first (mfagate person add " + id + " NAME)");
        }
    }
}
