package dev.mfagate.gateway.console;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.seed.ImportInput;
import dev.mfagate.core.seed.ImportedEntry;
import dev.mfagate.core.seed.QrImages;
import dev.mfagate.core.seed.SeedImportException;
import dev.mfagate.core.seed.SeedImports;
import dev.mfagate.core.store.DuplicateLabelException;
import dev.mfagate.core.store.SeedRepository;
import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpWindow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Enrolment of one seed by a tenant admin: a base32 secret or {@code otpauth://} URI pasted, or a
 * QR image (a single {@code otpauth://} code, or a Google Authenticator export holding one account)
 * uploaded, stored under one label of a tenant the person administers, then its first code shown so
 * the admin can finish enrolment at the service. All or nothing: a refusal stores nothing and says
 * why in a plain sentence. The seed is never sent back; an {@code ADMIN} audit entry records who
 * added which label.
 *
 * <p>Whether the person may add the label's seed is {@link AdminAuthorizer}'s decision (SEEDS,
 * CHANGE, the label's tenant); a tenant the person may not see gets the same sentence as one they
 * may see but not change, so the answer says nothing about other tenants. Thread-safe.
 */
final class SeedEnrolment {

    /** What the form sent. */
    record Form(String label, String secret, byte[] qrImage) {
        @Override
        public String toString() {
            return "Form[label=" + label + "]";
        }
    }

    /** The outcome: enrolled with its first code, or refused with a sentence. */
    sealed interface Result {
        record Enrolled(Label label, TotpWindow firstCode) implements Result {
        }

        record Refused(String message) implements Result {
        }
    }

    /** With less than this left, the next code is shown too: entering it at the service takes a moment. */
    private static final Duration NEXT_CODE_THRESHOLD = Duration.ofSeconds(10);

    private final SeedRepository seeds;
    private final TenantRepository tenants;
    private final AuditSink audit;
    private final String instanceId;

    SeedEnrolment(SeedRepository seeds, TenantRepository tenants, AuditSink audit, String instanceId) {
        this.seeds = Objects.requireNonNull(seeds, "seeds");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    }

    /** The tenants whose seeds the person of {@code session} may add, by id. */
    List<String> adminTenants(Session session) {
        return bindings(session).stream()
                .filter(b -> b.role() == Role.ADMIN)
                .flatMap(b -> b.scope().tenant().stream())
                .map(TenantId::value).distinct().sorted().toList();
    }

    private List<RoleBinding> bindings(Session session) {
        return tenants.bindingsOf(session.actor().holders());
    }

    /** Enrols what {@code form} holds, or says why not; nothing is stored on refusal. */
    Result enrol(Session session, Form form, Instant now, RequestMeta meta) {
        Label label;
        try {
            label = Label.parse(form.label() == null ? "" : form.label().strip());
        } catch (IllegalArgumentException e) {
            return new Result.Refused("The label must be client-service, such as acme-aws: lower-case letters, digits,"
                    + " dots, underscores and dashes.");
        }
        AdminAuthorizer.Decision decision = AdminAuthorizer.decide(bindings(session), AdminAuthorizer.Resource.SEEDS,
                AdminAuthorizer.Action.CHANGE, TenantId.of(label));
        if (decision != AdminAuthorizer.Decision.ALLOW) {
            return new Result.Refused("You may not add seeds for " + label.value()
                    + ": only an admin of its tenant may.");
        }
        List<ImportInput> inputs = new ArrayList<>();
        String secret = form.secret() == null ? "" : form.secret().strip();
        if (!secret.isEmpty()) {
            inputs.add(ImportInput.text("the pasted secret", secret));
        }
        if (form.qrImage() != null && form.qrImage().length > 0) {
            List<String> texts;
            try {
                var image = javax.imageio.ImageIO.read(new ByteArrayInputStream(form.qrImage()));
                if (image == null) {
                    return new Result.Refused("The uploaded file is not an image this gateway can read (PNG, JPEG or GIF).");
                }
                texts = QrImages.decode(image);
            } catch (IOException e) {
                return new Result.Refused("The uploaded file is not an image this gateway can read (PNG, JPEG or GIF).");
            } catch (SeedImportException e) {
                return new Result.Refused("The uploaded image: " + e.getMessage() + ".");
            }
            inputs.add(ImportInput.text("the uploaded image", String.join("\n", texts)));
        }
        if (inputs.isEmpty()) {
            return new Result.Refused("Paste the secret (base32 or an otpauth:// link) or upload a QR image.");
        }
        List<ImportedEntry> entries;
        try {
            entries = SeedImports.read(inputs);
        } catch (SeedImportException e) {
            return new Result.Refused("Nothing was enrolled: " + e.getMessage() + ".");
        }
        try {
            if (entries.size() != 1) {
                return new Result.Refused("Nothing was enrolled: the input holds " + entries.size()
                        + " seeds, and this page enrols one under one label; enrol them one at a time.");
            }
            ImportedEntry entry = entries.getFirst();
            try {
                seeds.add(label, entry.seed(), now);
            } catch (DuplicateLabelException e) {
                return new Result.Refused("Nothing was enrolled: a seed with the label " + label.value()
                        + " exists already.");
            } catch (IllegalArgumentException e) {
                return new Result.Refused("Nothing was enrolled: " + e.getMessage());
            }
            audit.commit(AuditEvent.builder(now, Outcome.ADMIN).requestId(meta.requestId()).route(meta.route())
                    .remoteAddress(meta.remoteAddress()).instanceId(instanceId).tokenId("console").label(label.value())
                    .reason("seed-add")
                    .detail("by person:" + session.person().value() + " session " + session.ref() + "; first code shown")
                    .build());
            return new Result.Enrolled(label, TotpGenerator.window(entry.seed(), now, NEXT_CODE_THRESHOLD));
        } finally {
            entries.forEach(e -> e.seed().destroy());
        }
    }
}
