package dev.mfagate.gateway.http;

import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty under the gateway's Javalin: the listener (plain or TLS 1.2/1.3 from PEM files), the
 * connection limits (per address at accept, {@link ConnectionGuard}; in total,
 * {@link NetworkConnectionLimit}), the request-header deadline ({@link RequestHeaderTimeout}), the
 * idle timeout, the thread pool (platform threads for Jetty, reused virtual threads for the handlers), and
 * the JSON error handler for what Jetty refuses before a route runs. Nothing here knows about
 * codes. Stateless; {@link #apply} runs once per server.
 */
public final class JettySetup {

    /** Platform threads for the listener (acceptor, selector, non-blocking tasks); handlers run on virtual threads. */
    private static final int MAX_PLATFORM_THREADS = 8;
    private static final int MIN_PLATFORM_THREADS = 2;
    /**
     * Handler threads kept waiting for the next request once started; above this many at once, the
     * extra ones end after {@link #EXTRA_HANDLER_IDLE_SECONDS} without work. Until this many exist,
     * each request starts one (that is how the executor grows), and each keeps its libraries'
     * per-thread buffers (Jackson's recycler is tens of KB): 64 covers the bot's 32 requests in
     * flight and a load of 32 connections with their hand-offs, and bounds what they keep to about 2 MB of heap.
     */
    static final int KEPT_HANDLER_THREADS = 64;
    private static final long EXTRA_HANDLER_IDLE_SECONDS = 10;

    /** The largest file in a multipart body, in KiB: the admin API's seed upload, 1 MiB. */
    public static final int MAX_UPLOAD_KIB = 1024;
    /** The largest multipart body, in KiB: the file and a few small fields. */
    static final int MAX_MULTIPART_KIB = MAX_UPLOAD_KIB + 64;

    private JettySetup() {
    }

    /**
     * Configures {@code cfg}'s Jetty.
     *
     * @param host the address to bind
     * @param port the port, 0 for any free port
     * @param maxRequestBodyBytes the largest request body accepted
     * @param net allow-list, TLS, limits and timeouts
     * @param addresses resolves and checks client addresses
     * @param rejections told of every request Jetty refuses itself (for the audit trail)
     * @param connectionDropped told the reason of every connection dropped at accept or for slowness
     * @param stopGrace how long a stop waits for in-flight requests
     */
    public static void apply(JavalinConfig cfg, String host, int port, long maxRequestBodyBytes, NetworkOptions net,
                             ClientAddresses addresses, JsonErrorHandler.RejectionListener rejections,
                             Consumer<String> connectionDropped, Duration stopGrace) {
        SslContextFactory.Server ssl = net.tls() ? sslContext(net) : null;
        // Dropped connections are counted and logged at most once a minute, never audited one by one.
        DroppedConnectionLog drops = new DroppedConnectionLog((drop, peer) -> connectionDropped.accept(drop.reason()));
        ConnectionGuard guard = new ConnectionGuard(addresses, net.maxConnectionsPerAddress(), drops);
        RequestHeaderTimeout headerTimeout = new RequestHeaderTimeout(net.requestHeaderTimeout(), drops);
        cfg.jetty.host = host;
        cfg.jetty.port = port;
        cfg.jetty.threadPool = threadPool();
        cfg.http.maxRequestSize = maxRequestBodyBytes;
        // Multipart bodies (the console's enrolment form, its QR image and pasted secret) are held in
        // memory whole: Javalin's default writes every part, the pasted secret among them, to a file in
        // java.io.tmpdir, deleted after the request but left there if the process dies, and takes any size.
        cfg.jetty.multipartConfig.maxFileSize(MAX_UPLOAD_KIB, SizeUnit.KB);
        cfg.jetty.multipartConfig.maxTotalRequestSize(MAX_MULTIPART_KIB, SizeUnit.KB);
        cfg.jetty.multipartConfig.maxInMemoryFileSize(MAX_MULTIPART_KIB, SizeUnit.KB);
        cfg.jetty.modifyServer(server -> {
            server.setErrorHandler(new JsonErrorHandler(rejections));
            // Bounds what allowed clients can hold together; the guard bounds each address, the
            // header timeout each slow request, the idle timeout each silent connection.
            server.addBean(new NetworkConnectionLimit(net.maxConnections(), server));
            server.setStopTimeout(stopGrace.toMillis());
        });
        cfg.jetty.modifyHttpConfiguration(http -> {
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            http.setRequestHeaderSize(8 * 1024);
            // Each connection's parser keeps the header lines a client repeats (Host, User-Agent) in a
            // trie of 48 chars per character held: Jetty's default of 1,024 is a 96 KB array for each
            // kept-alive connection, 3 MB for 32 clients, which lives as long as they do, is promoted,
            // and grew the old generation by that much at each new set of clients (docs/benchmarks.md).
            // 256 still holds the few short lines an API client repeats.
            http.setHeaderCacheSize(256);
            http.setIdleTimeout(net.idleTimeout().toMillis());
            if (ssl != null) {
                http.addCustomizer(new SecureRequestCustomizer(false));
            }
            http.addCustomizer(headerTimeout);
        });
        cfg.jetty.addConnector((server, http) -> {
            ServerConnector connector = ssl == null
                    ? new ServerConnector(server, new SerialHttpConnectionFactory(http))
                    : new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new SerialHttpConnectionFactory(http));
            connector.setHost(host);
            connector.setPort(port);
            connector.setIdleTimeout(net.idleTimeout().toMillis());
            // Beans before the connector starts: it hands accept listeners to its selector manager then.
            connector.addBean(guard);
            connector.addBean(headerTimeout);
            return connector;
        });
    }

    /**
     * Platform threads for Jetty's own non-blocking work (accepting, selecting, parsing), and virtual
     * threads for the request handlers, which block on the audit commit. Javalin's default runs every
     * Jetty task on a virtual thread, the selector's too, whose every wait then goes through the JDK's
     * poller: in alternating runs on a busy two-core machine that took more CPU per request
     * (docs/benchmarks.md). A handful of platform threads is enough for the listener.
     */
    static QueuedThreadPool threadPool() {
        ExecutorService handlers = handlerThreads();
        QueuedThreadPool pool = new QueuedThreadPool(MAX_PLATFORM_THREADS, MIN_PLATFORM_THREADS, 60_000) {
            @Override
            protected void doStop() throws Exception {
                super.doStop();
                // The idle handler threads wait for work until told there is none.
                handlers.shutdown();
            }
        };
        pool.setName("mfagate-http");
        pool.setVirtualThreadsExecutor(handlers);
        return pool;
    }

    /**
     * Virtual threads that run one request after another instead of one each. What libraries keep
     * per thread then lasts beyond a request: Tink's AES-GCM {@code Cipher} (a provider look-up and a
     * new cipher for every request otherwise, since Tink keeps one per thread and offers no other
     * way), Jackson's buffers, the logging context's map. None of it holds a secret between requests
     * beyond what Tink keeps on a platform thread by design (the cipher's last key schedule until its
     * next use); the logging context is cleared after each task, so no request id outlives its
     * request. The queue holds no task: a request waits for no other, and a handler thread is started
     * whenever none is idle, so blocking in a handler never holds up another request.
     */
    static ExecutorService handlerThreads() {
        return new ThreadPoolExecutor(KEPT_HANDLER_THREADS, Integer.MAX_VALUE, EXTRA_HANDLER_IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), Thread.ofVirtual().name("mfagate-request-", 0).factory()) {
            @Override
            protected void afterExecute(Runnable task, Throwable failure) {
                // Whatever a task left in the logging context (a request id) must not label the next one's lines.
                org.slf4j.MDC.clear();
            }
        };
    }

    private static SslContextFactory.Server sslContext(NetworkOptions net) {
        // Protects only the in-memory key store Jetty reads; random so nothing guessable is kept.
        char[] password = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16)).toCharArray();
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(PemKeyStores.load(net.tlsCertificate(), net.tlsPrivateKey(), password));
        ssl.setKeyStorePassword(new String(password));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return ssl;
    }
}
