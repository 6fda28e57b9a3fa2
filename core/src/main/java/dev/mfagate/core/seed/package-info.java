/**
 * Reading TOTP seeds from what operators have: base32 secrets, {@code otpauth://} URIs, Google
 * Authenticator exports, QR code images and environment variables (read from a {@code .env} file by
 * {@code dev.mfagate.api.config.DotEnv}), plus giving a batch its labels.
 *
 * <p>Doors: {@link dev.mfagate.core.seed.SeedParser} (one seed), {@link dev.mfagate.core.seed.SeedImports}
 * (a batch), {@link dev.mfagate.core.seed.LabelMapping} (labels for a batch),
 * and {@link dev.mfagate.core.seed.EnvSeeds}. Every
 * failure is a {@link dev.mfagate.core.seed.SeedImportException} whose message never contains a secret.
 */
package dev.mfagate.core.seed;
