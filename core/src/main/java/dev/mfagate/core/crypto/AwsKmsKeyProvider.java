package dev.mfagate.core.crypto;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * A KEK in AWS KMS (a symmetric KMS key), through the AWS SDK for Java v2 on the JDK's
 * {@code HttpURLConnection} (no Netty, no Apache client). {@code Encrypt} and {@code Decrypt} carry
 * the scope as the encryption context ({@code mfagate:purpose}, {@code mfagate:scope}), so a
 * ciphertext does not open in another scope, and CloudTrail shows which keyset each call was for.
 *
 * <p>Credentials: {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}(/{@code AWS_SESSION_TOKEN})
 * when given, else the SDK's default chain (profile, container, instance role). The region comes
 * from the key ARN, else {@code AWS_REGION}/{@code AWS_DEFAULT_REGION}; {@code AWS_ENDPOINT_URL_KMS}
 * (or {@code AWS_ENDPOINT_URL}) overrides the endpoint (VPC endpoints, tests; https, or http on loopback
 * only, since the calls carry data keys). {@code AWS_MAX_ATTEMPTS}
 * bounds the SDK's retries (throttling included; default 3).
 *
 * <p>Tested against a stand-in that follows the KMS JSON API, not against AWS itself.
 */
final class AwsKmsKeyProvider implements KeyProvider {

    private static final Pattern ARN = Pattern.compile("arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:(key|alias)/.+");

    /**
     * @param keyId a key id, key ARN, alias name ({@code alias/...}) or alias ARN
     * @param region the region from the ARN, or null
     */
    record Config(String keyId, String region) {

        static Config parse(String reference) {
            String keyId = reference.substring("awskms:".length()).strip();
            if (keyId.startsWith("//")) {
                keyId = keyId.substring(2); // Tink's aws-kms:// style
            }
            if (keyId.isEmpty() || !keyId.matches("[A-Za-z0-9:/_.+=@-]{1,2048}")) {
                throw new IllegalArgumentException("Invalid awskms reference: give a key id, key ARN, alias/NAME or"
                        + " alias ARN, for example awskms:arn:aws:kms:eu-west-1:111122223333:key/1234abcd-...");
            }
            Matcher m = ARN.matcher(keyId);
            if (keyId.startsWith("arn:") && !m.matches()) {
                throw new IllegalArgumentException("Invalid awskms reference: not a KMS key or alias ARN");
            }
            return new Config(keyId, m.matches() ? m.group(1) : null);
        }

        String reference() {
            return "awskms:" + keyId;
        }
    }

    private final Config config;
    private final KmsClient kms;

    private AwsKmsKeyProvider(Config config, KmsClient kms) {
        this.config = config;
        this.kms = kms;
    }

    static AwsKmsKeyProvider open(Config config, Map<String, String> env) {
        String region = config.region() != null ? config.region()
                : firstNonBlank(env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
        if (region == null) {
            throw new KeyProviderException(config.reference(), config.keyId(), "opening the KMS client",
                    KeyProviderException.Failure.MISCONFIGURED, "no region: use a key ARN or set AWS_REGION");
        }
        KmsClientBuilder builder = KmsClient.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials(env))
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(10))
                        .build());
        String endpoint = firstNonBlank(env.get("AWS_ENDPOINT_URL_KMS"), env.get("AWS_ENDPOINT_URL"));
        if (endpoint != null) {
            URI uri;
            try {
                uri = URI.create(endpoint.strip());
            } catch (IllegalArgumentException e) {
                throw new KeyProviderException(config.reference(), config.keyId(), "opening the KMS client",
                        KeyProviderException.Failure.MISCONFIGURED, "AWS_ENDPOINT_URL_KMS is not a URL");
            }
            // SigV4 keeps the credentials off the wire, but Encrypt and Decrypt carry the data key itself.
            boolean https = "https".equalsIgnoreCase(uri.getScheme());
            boolean plainLoopback = "http".equalsIgnoreCase(uri.getScheme()) && LoopbackHosts.isLoopback(uri.getHost());
            if (uri.getHost() == null || !(https || plainLoopback)) {
                throw new KeyProviderException(config.reference(), config.keyId(), "opening the KMS client",
                        KeyProviderException.Failure.MISCONFIGURED,
                        "AWS_ENDPOINT_URL_KMS must be an https URL (http only for an endpoint on loopback)");
            }
            builder.endpointOverride(uri);
        }
        int attempts = 3;
        String maxAttempts = env.get("AWS_MAX_ATTEMPTS");
        if (maxAttempts != null && maxAttempts.matches("[1-9][0-9]?")) {
            attempts = Integer.parseInt(maxAttempts);
        }
        int finalAttempts = attempts;
        builder.overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(finalAttempts))
                .apiCallTimeout(Duration.ofSeconds(30)));
        return new AwsKmsKeyProvider(config, builder.build());
    }

    private static AwsCredentialsProvider credentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
            String session = env.get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(session == null || session.isBlank()
                    ? AwsBasicCredentials.create(id, secret) : AwsSessionCredentials.create(id, secret, session));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }

    @Override
    public String reference() {
        return config.reference();
    }

    @Override
    public String keyName() {
        return config.keyId();
    }

    @Override
    public byte[] wrapKey(byte[] key, KeyScope scope) {
        try {
            return kms.encrypt(r -> r.keyId(config.keyId()).plaintext(SdkBytes.fromByteArray(key))
                    .encryptionContext(scope.encryptionContext())).ciphertextBlob().asByteArray();
        } catch (SdkException e) {
            throw failure("wrapping the keyset key (Encrypt)", e);
        }
    }

    @Override
    public byte[] unwrapKey(byte[] wrapped, KeyScope scope) {
        try {
            return kms.decrypt(r -> r.keyId(config.keyId()).ciphertextBlob(SdkBytes.fromByteArray(wrapped))
                    .encryptionContext(scope.encryptionContext())).plaintext().asByteArray();
        } catch (SdkException e) {
            throw failure("unwrapping the keyset (Decrypt)", e);
        }
    }

    /** Maps KMS's error types (the JSON {@code __type}) to failures; the detail is the type, never the request. */
    private KeyProviderException failure(String operation, SdkException e) {
        KeyProviderException.Failure f;
        String detail;
        if (e instanceof KmsException k && k.awsErrorDetails() != null) {
            String code = k.awsErrorDetails().errorCode() == null ? "" : k.awsErrorDetails().errorCode();
            detail = code + (k.statusCode() > 0 ? ", HTTP " + k.statusCode() : "");
            f = switch (code) {
                case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                        "ExpiredTokenException", "IncompleteSignature", "MissingAuthenticationToken",
                        "InvalidClientTokenId" -> KeyProviderException.Failure.ACCESS_DENIED;
                case "ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException",
                        "LimitExceededException" -> KeyProviderException.Failure.THROTTLED;
                case "DisabledException", "KMSInvalidStateException", "KeyUnavailableException",
                        "InvalidKeyUsageException" -> KeyProviderException.Failure.KEY_DISABLED;
                case "NotFoundException" -> KeyProviderException.Failure.KEY_NOT_FOUND;
                case "InvalidCiphertextException", "IncorrectKeyException" -> KeyProviderException.Failure.BAD_CIPHERTEXT;
                case "DependencyTimeoutException", "KMSInternalException", "InternalFailure", "ServiceUnavailable" ->
                        KeyProviderException.Failure.UNAVAILABLE;
                default -> k.statusCode() >= 500 ? KeyProviderException.Failure.UNAVAILABLE
                        : KeyProviderException.Failure.FAILED;
            };
        } else if (e instanceof SdkClientException && e.getMessage() != null
                && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("credentials")) {
            f = KeyProviderException.Failure.ACCESS_DENIED;
            detail = "no AWS credentials found";
        } else {
            f = KeyProviderException.Failure.UNREACHABLE;
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            detail = root.getClass().getSimpleName();
        }
        return new KeyProviderException(reference(), keyName(), operation, f, detail, e);
    }

    @Override
    public void close() {
        kms.close();
    }

    @Override
    public String toString() {
        return "AwsKmsKeyProvider[" + reference() + "]";
    }
}
