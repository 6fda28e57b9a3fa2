package dev.mfagate.gateway.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.SelectorManager;

/**
 * Refuses connections as they are accepted, before they hold one of the server's connection slots
 * or cost a thread: from a peer outside the allow-list that is not a trusted proxy, and from a peer
 * that already holds {@code maxPerAddress} connections. A refused socket is reset at once (no
 * HTTP answer, no audit entry); the {@link ConnectionDrop.Listener} counts it.
 *
 * <p>Install it as a bean of a {@code ServerConnector} before the connector starts: Jetty's
 * selector manager then calls {@link #onAccepting} on the accepting thread for every new socket,
 * and {@link #onClosed} or {@link #onAcceptFailed} when it goes away. Trusted proxies are never
 * capped: all their clients share their address. Thread-safe.
 */
public final class ConnectionGuard implements SelectorManager.AcceptListener {

    private final ClientAddresses addresses;
    private final int maxPerAddress;
    private final ConnectionDrop.Listener listener;
    /** Each counted socket and its peer, so that a close is uncounted exactly once. */
    private final ConcurrentHashMap<SelectableChannel, InetAddress> counted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /**
     * @param addresses the allow-list and trusted proxies
     * @param maxPerAddress the most connections one address may hold; 0 for no cap
     * @param listener told of every refusal
     */
    public ConnectionGuard(ClientAddresses addresses, int maxPerAddress, ConnectionDrop.Listener listener) {
        this.addresses = Objects.requireNonNull(addresses, "addresses");
        if (maxPerAddress < 0) {
            throw new IllegalArgumentException("Invalid per-address connection cap " + maxPerAddress + "; must be 0 or more");
        }
        this.maxPerAddress = maxPerAddress;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        if (!(channel instanceof SocketChannel socket)) {
            return;
        }
        InetAddress peer = peerOf(socket);
        if (peer == null) {
            return;
        }
        if (!addresses.mayConnect(peer)) {
            refuse(socket, ConnectionDrop.ADDRESS_NOT_ALLOWED, peer);
            return;
        }
        if (maxPerAddress == 0 || addresses.isTrustedProxy(peer)) {
            return;
        }
        boolean[] full = {false};
        perAddress.compute(peer, (a, n) -> {
            int held = n == null ? 0 : n;
            if (held >= maxPerAddress) {
                full[0] = true;
                return n;
            }
            return held + 1;
        });
        if (full[0]) {
            refuse(socket, ConnectionDrop.ADDRESS_CONNECTION_LIMIT, peer);
        } else {
            counted.put(channel, peer);
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        release(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        release(channel);
    }

    /** How many connections {@code peer} holds now, as counted for the cap. */
    public int connectionsOf(InetAddress peer) {
        return perAddress.getOrDefault(peer, 0);
    }

    private void release(SelectableChannel channel) {
        InetAddress peer = counted.remove(channel);
        if (peer != null) {
            perAddress.computeIfPresent(peer, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    private void refuse(SocketChannel socket, ConnectionDrop drop, InetAddress peer) {
        try {
            // A reset rather than a graceful close: nothing is owed to the peer, and no TIME_WAIT is kept here.
            socket.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            // Closed meanwhile; closing below is all that matters.
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing more to do for a socket being refused.
        }
        listener.dropped(drop, peer);
    }

    private static InetAddress peerOf(SocketChannel socket) {
        try {
            return socket.getRemoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
