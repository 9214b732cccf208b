package dev.portcullis.servlet;

import jakarta.servlet.ServletContext;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's HTTP/1 parser keeps, per connection, the header fields the connection sent before ({@code Authorization}
 * among them) and by default matches each new field against them ignoring case: a value that differs from an earlier
 * one on the same connection only in the case of its letters reaches the application as the earlier value. Base64 and
 * API keys are case-sensitive, so a wrong credential (a mistyped key whose Basic header differs from the valid one in
 * the case of one base64 digit, a key with a letter's case changed, or, behind a proxy that pools its connections,
 * such a variant of another client's) would be judged as the valid one sent before. The filter turns that cache off
 * (size 0, and case-sensitive) on every HTTP connection factory of the Jetty server it runs in, through Jetty's public API by
 * reflection (auth-servlet does not depend on Jetty). Jetty starts its connectors after its contexts, so every
 * connection is made with the setting.
 */
final class JettyHeaderCache {
    private JettyHeaderCache() {
    }

    /** What {@link #secure} did: the configurations it changed, or why it could not look. */
    record Result(boolean jetty, int changed, @Nullable String problem) {
    }

    /**
     * Turns off the header cache of every HTTP configuration of the Jetty server behind {@code context}.
     *
     * @param context the filter's servlet context
     * @return not Jetty; or how many configurations were changed; or, for a Jetty whose connectors could not be
     *     reached, the reason
     */
    static Result secure(ServletContext context) {
        if (!context.getClass().getName().startsWith("org.eclipse.jetty.")) {
            return new Result(false, 0, null);
        }
        try {
            Object server = call(call(context, "getContextHandler"), "getServer");
            Set<Object> configurations = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Object connector : (Object[]) call(server, "getConnectors")) {
                for (Object factory : (Collection<?>) call(connector, "getConnectionFactories")) {
                    Method get = publicMethod(factory, "getHttpConfiguration");
                    if (get != null) {
                        configurations.add(Objects.requireNonNull(get.invoke(factory), "getHttpConfiguration() answered null"));
                    }
                }
            }
            int changed = 0;
            for (Object configuration : configurations) {
                boolean caseSensitive = Boolean.TRUE.equals(call(configuration, "isHeaderCacheCaseSensitive"));
                boolean off = Integer.valueOf(0).equals(call(configuration, "getHeaderCacheSize"));
                if (!caseSensitive || !off) {
                    configuration.getClass().getMethod("setHeaderCacheCaseSensitive", boolean.class).invoke(configuration, true);
                    // and off: a case-sensitive cache walks its trie through each long header it holds (a registry token's
                    // 600 characters cost Jetty 30 % of its throughput), while parsing a header afresh is cheap
                    configuration.getClass().getMethod("setHeaderCacheSize", int.class).invoke(configuration, 0);
                    changed++;
                }
            }
            return new Result(true, changed, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new Result(true, 0, e.toString());
        }
    }

    /** The result of the public, argument-less method {@code name} of {@code target}; an exception when it is null. */
    private static Object call(Object target, String name) throws ReflectiveOperationException {
        return Objects.requireNonNull(target.getClass().getMethod(name).invoke(target), () -> name + "() answered null");
    }

    private static @Nullable Method publicMethod(Object target, String name) {
        try {
            return target.getClass().getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
