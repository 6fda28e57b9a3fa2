package dev.mfagate.core.store;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.tenant.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Schema V4.1, both dialects: gives the rows a store made before tenants holds to their tenants.
 * Every seed's client part becomes a tenant; a token or rule whose pattern stays inside one tenant
 * ({@link TenantId#confining}) goes to that tenant (created if no seed named it yet), every other
 * one to the organisation ({@code tenant_id} stays {@code NULL}). A tenant's creation time is the
 * earliest of the rows that named it. Nothing is removed or rewritten, and the audit chain is not
 * touched, so it verifies as before.
 *
 * <p>Written in Java rather than SQL so that the one confinement rule decides here as it does for
 * every later grant (SQL would need it twice, once per dialect). Registered explicitly by
 * {@link Database}, not found by class-path scanning.
 */
public final class V4_1__AssignTenants extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        Map<String, Long> tenants = new TreeMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT label, created_at_ms FROM seeds")) {
            while (rs.next()) {
                String client = Label.parse(rs.getString(1)).client();
                tenants.merge(client, rs.getLong(2), Math::min);
            }
        }
        Map<String, String> tokens = assign(c, "SELECT id, label_pattern, created_at_ms FROM api_tokens", tenants);
        Map<String, String> rules = assign(c, "SELECT id, pattern, created_at_ms FROM policy_rule", tenants);
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO tenant (id, created_at_ms) VALUES (?, ?)")) {
            for (Map.Entry<String, Long> t : tenants.entrySet()) {
                ins.setString(1, t.getKey());
                ins.setLong(2, t.getValue());
                ins.executeUpdate();
            }
        }
        update(c, "UPDATE api_tokens SET tenant_id = ? WHERE id = ?", tokens);
        update(c, "UPDATE policy_rule SET tenant_id = ? WHERE id = ?", rules);
    }

    /** Row id to tenant for the rows of {@code query} whose pattern is confined; adds those tenants. */
    private static Map<String, String> assign(Connection c, String query, Map<String, Long> tenants) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                Optional<TenantId> tenant = confining(rs.getString(2));
                if (tenant.isPresent()) {
                    out.put(rs.getString(1), tenant.get().value());
                    tenants.merge(tenant.get().value(), rs.getLong(3), Math::min);
                }
            }
        }
        return out;
    }

    private static Optional<TenantId> confining(String pattern) {
        try {
            return TenantId.confining(LabelPattern.parse(pattern));
        } catch (IllegalArgumentException e) {
            // A pattern the current grammar refuses stays with the organisation, where nothing narrows it.
            return Optional.empty();
        }
    }

    private static void update(Connection c, String sql, Map<String, String> assignments) throws SQLException {
        try (PreparedStatement up = c.prepareStatement(sql)) {
            for (Map.Entry<String, String> a : assignments.entrySet()) {
                up.setString(1, a.getValue());
                up.setString(2, a.getKey());
                up.executeUpdate();
            }
        }
    }
}
