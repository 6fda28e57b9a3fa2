package dev.mfagate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import io.javalin.Javalin;
import java.time.Duration;
import org.eclipse.jetty.server.Connector;
import org.junit.jupiter.api.Test;

class JettySetupTest {

    @Test
    void apply_connector_httpConnectionsReadOnOneThreadAtATime() {
        NetworkOptions net = NetworkOptions.defaults();
        Javalin app = Javalin.create(cfg -> JettySetup.apply(cfg, "127.0.0.1", 0, 16 * 1024, net, new ClientAddresses(net),
                (remote, reason, requestId) -> { }, reason -> { }, Duration.ofSeconds(1)));
        try {
            app.start();
            Connector[] connectors = app.jettyServer().server().getConnectors();

            assertThat(connectors).hasSize(1);
            assertThat(connectors[0].getConnectionFactory(org.eclipse.jetty.server.HttpConnectionFactory.class))
                    .isInstanceOf(SerialHttpConnectionFactory.class);
        } finally {
            app.stop();
        }
    }

    @Test
    void handlerThreads_manyTasksOneAfterAnother_laterOnesRunOnKeptVirtualThreads() throws Exception {
        ExecutorService handlers = JettySetup.handlerThreads();
        try {
            // Until as many threads as are kept exist, each task starts one; after that, the waiting ones take them.
            Set<Thread> started = new HashSet<>();
            for (int i = 0; i < JettySetup.KEPT_HANDLER_THREADS; i++) {
                started.add(CompletableFuture.supplyAsync(Thread::currentThread, handlers).get(10, TimeUnit.SECONDS));
            }
            List<Thread> later = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                later.add(CompletableFuture.supplyAsync(Thread::currentThread, handlers).get(10, TimeUnit.SECONDS));
            }

            assertThat(started).as("handler threads are virtual").allMatch(Thread::isVirtual);
            // Not every one: a task may come before the thread that ran the last one waits again, and then
            // starts a thread of its own (which ends after a while without work).
            assertThat(later).as("later requests run on kept threads, whose per-thread caches they reuse")
                    .anyMatch(started::contains);
        } finally {
            handlers.shutdownNow();
        }
    }

    @Test
    void handlerThreads_oneTaskBlocked_anotherStillRuns() throws Exception {
        ExecutorService handlers = JettySetup.handlerThreads();
        CountDownLatch release = new CountDownLatch(1);
        try {
            handlers.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<Void> other = CompletableFuture.runAsync(release::countDown, handlers);

            // Were the second task queued behind the first, neither would ever finish.
            other.get(10, TimeUnit.SECONDS);
            assertThat(release.getCount()).isZero();
        } finally {
            handlers.shutdownNow();
        }
    }
}
