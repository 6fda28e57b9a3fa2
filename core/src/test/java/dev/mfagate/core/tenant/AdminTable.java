package dev.mfagate.core.tenant;

import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Decision;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The expected answers for one role held alone, written out cell by cell: the reference for
 * {@link AdminAuthorizerTest} and {@link TenantPropertyTest}. Targets: {@code org} (the
 * organisation), {@code own} (the tenant the role is held in; for organisation roles, any tenant)
 * and {@code other} (a tenant the role is not held in). Each cell is two letters, READ then CHANGE:
 * A allow, D deny, N not visible.
 */
final class AdminTable {

    static final List<String> ROWS = List.of(
            // role      target  TENANT MEMBERS SEEDS RULES TOKENS AUDIT KEYS
            "operator    org     AA     AA      DD    AA    AA     AD    AA",
            "operator    own     AA     AA      DD    DD    DD     DD    DD",
            "operator    other   AA     AA      DD    DD    DD     DD    DD",
            "auditor     org     AD     DD      DD    DD    DD     AD    DD",
            "auditor     own     AD     DD      DD    DD    DD     AD    DD",
            "auditor     other   AD     DD      DD    DD    DD     AD    DD",
            "admin       org     DD     DD      DD    DD    DD     DD    DD",
            "admin       own     AD     AA      AA    AA    AA     AD    DD",
            "admin       other   NN     NN      NN    NN    NN     NN    NN",
            "approver    org     DD     DD      DD    DD    DD     DD    DD",
            "approver    own     AD     DD      DD    DD    DD     AD    DD",
            "approver    other   NN     NN      NN    NN    NN     NN    NN",
            "member      org     DD     DD      DD    DD    DD     DD    DD",
            "member      own     AD     DD      DD    DD    DD     DD    DD",
            "member      other   NN     NN      NN    NN    NN     NN    NN",
            "none        org     DD     DD      DD    DD    DD     DD    DD",
            "none        other   NN     NN      NN    NN    NN     NN    NN");

    private static final Map<String, Decision> CELLS = new HashMap<>();

    static {
        for (String row : ROWS) {
            String[] f = row.trim().split("\\s+");
            for (Resource r : Resource.values()) {
                String cell = f[2 + r.ordinal()];
                for (Action a : Action.values()) {
                    CELLS.put(f[0] + "/" + f[1] + "/" + r + "/" + a, switch (cell.charAt(a.ordinal())) {
                        case 'A' -> Decision.ALLOW;
                        case 'D' -> Decision.DENY;
                        case 'N' -> Decision.NOT_VISIBLE;
                        default -> throw new AssertionError("Bad cell " + cell + " in " + row);
                    });
                }
            }
        }
    }

    private AdminTable() {
    }

    /** The expected answer for {@code role} ("none" for no role) held alone. */
    static Decision expected(String role, String target, Resource resource, Action action) {
        Decision d = CELLS.get(role + "/" + target + "/" + resource + "/" + action);
        if (d == null) {
            throw new AssertionError("No cell for " + role + "/" + target);
        }
        return d;
    }
}
