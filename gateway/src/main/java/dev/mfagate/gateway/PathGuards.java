package dev.mfagate.gateway;

import io.javalin.config.RouterConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.matcher.PathParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The gateway's before-handlers for given path templates, run from one Javalin before-handler.
 *
 * <p>Javalin matches every before-handler's path, a regular expression, against every request. With
 * one guard per API and admin route that was about twenty expressions for each {@code /totp}
 * request. Here each template is matched with Javalin's own {@link PathParser} (the same rules:
 * trailing slashes, case, repeated slashes as the router is configured), but only once the request's
 * path starts with the template's literal head, so a request runs the expressions of its own routes
 * only. The handlers run in the order they were added, every one whose template matches, as
 * Javalin would run them; an exception stops the rest.
 *
 * <p>A guard may also name the methods its route answers, with the refusal of any other: that refusal
 * runs after the guards, when the path matched at least one guard that names its methods and none of
 * those answers the request's method. It stands for a Javalin handler per method and route that only
 * refuses, which cost a regular expression each at start (157 of them, about 60 ms of the main thread's
 * CPU) and gives the same order: the route's guard (token, on-behalf headers) first, then the 405.
 *
 * <p>Not thread-safe while handlers are added; safe for concurrent requests once the server runs.
 */
final class PathGuards {

    private record Guard(String head, PathParser template, Handler handler, Set<HandlerType> methods, Handler otherMethod) {
    }

    private final RouterConfig router;
    private final List<Guard> guards = new ArrayList<>();

    PathGuards(RouterConfig router) {
        this.router = Objects.requireNonNull(router, "router");
    }

    /** Runs {@code handler} before every request whose path matches {@code template}, whatever the method. */
    void add(String template, Handler handler) {
        guards.add(new Guard(head(template), new PathParser(template, router), Objects.requireNonNull(handler, "handler"),
                null, null));
    }

    /**
     * As {@link #add(String, Handler)}, for a route that answers {@code methods} only: a request of
     * another method is handed to {@code otherMethod} (which throws the refusal) once the guards have
     * run, unless another matching guard's route answers it.
     */
    void add(String template, Handler handler, Set<HandlerType> methods, Handler otherMethod) {
        guards.add(new Guard(head(template), new PathParser(template, router), Objects.requireNonNull(handler, "handler"),
                Set.copyOf(methods), Objects.requireNonNull(otherMethod, "otherMethod")));
    }

    /**
     * The literal start every matching path has: up to the first path parameter or wildcard, less
     * the slash before it (Javalin lets {@code /a/*} match {@code /a}). Empty when the router folds
     * case or repeated slashes, when only the expression can tell.
     */
    String head(String template) {
        if (router.caseInsensitiveRoutes || router.treatMultipleSlashesAsSingleSlash) {
            return "";
        }
        int end = template.length();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{' || c == '<' || c == '*') {
                end = i;
                break;
            }
        }
        String head = template.substring(0, end);
        return head.endsWith("/") ? head.substring(0, head.length() - 1) : head;
    }

    /** The one before-handler: the path as Javalin's router matches it, against each template. */
    void handle(Context ctx) throws Exception {
        String path = ctx.path();
        String contextPath = ctx.contextPath();
        if (path.startsWith(contextPath)) {
            path = path.substring(contextPath.length());
        }
        Guard refusing = null;
        boolean answered = false;
        for (Guard g : guards) {
            if (matches(g.head(), g.template(), path)) {
                g.handler().handle(ctx);
                if (g.methods() != null) {
                    if (g.methods().contains(ctx.method())) {
                        answered = true;
                    } else if (refusing == null) {
                        refusing = g;
                    }
                }
            }
        }
        if (refusing != null && !answered) {
            refusing.otherMethod().handle(ctx);
        }
    }

    /** Whether a guard for {@code template} runs for a request to {@code path} (path relative to the context). */
    boolean runsFor(String template, String path) {
        return matches(head(template), new PathParser(template, router), path);
    }

    private static boolean matches(String head, PathParser template, String path) {
        return path.startsWith(head) && template.matches(path);
    }
}
