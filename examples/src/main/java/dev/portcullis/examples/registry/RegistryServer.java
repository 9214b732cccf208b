package dev.portcullis.examples.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.auth.PortcullisMetrics;
import dev.portcullis.auth.routes.MavenRoutes;
import dev.portcullis.auth.routes.Route;
import dev.portcullis.netty.PortcullisHttpHandler;
import dev.portcullis.servlet.PortcullisFilter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;

/**
 * The example registry: {@link Storage} on disk, {@link RegistryApi}, Portcullis in front, served by
 * Jetty ({@link PortcullisFilter}) or Netty ({@link PortcullisHttpHandler}) — the same storage and
 * the same Portcullis configuration either way.
 */
public final class RegistryServer implements AutoCloseable {
    /** Which HTTP server fronts the registry. */
    public enum Kind { JETTY, NETTY }

    /**
     * How to run it.
     *
     * @param config a zot-compatible config file, or {@code null} for the bundled one (examples/config/registry.json)
     * @param data the data directory (blobs, manifests, the key store, the session keys), or {@code null} for the
     *     config's ({@code ./data} for the bundled config)
     * @param oidc an OIDC provider to add to the configuration, or {@code null}
     */
    public record Options(Kind server, @Nullable Path config, @Nullable Path data, int port, String address, @Nullable Oidc oidc,
                          Store store) {
        /** The OCI registry. */
        public Options(Kind server, @Nullable Path config, @Nullable Path data, int port, String address, @Nullable Oidc oidc) {
            this(server, config, data, port, address, oidc, Store.OCI);
        }
    }

    /**
     * What is served: the OCI registry at {@code /v2/}, or hosted Maven repositories at {@code /maven/<id>/}
     * ({@code releases} and {@code snapshots} unless the config's {@code maven.repositories} lists others).
     */
    public enum Store { OCI, MAVEN }

    /** Where the Maven repositories are served. */
    public static final String MAVEN_PREFIX = "/maven";

    /** One OIDC provider named {@code oidc}, and the URL users reach the registry at. */
    public record Oidc(String issuer, String clientId, String clientSecret, String externalUrl) {
        @Override
        public String toString() {
            return "Oidc[issuer=" + issuer + ", clientId=" + clientId + ", externalUrl=" + externalUrl + "]";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PortcullisConfig config;
    private final Portcullis portcullis;
    private final int port;
    private final List<String> startup = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    private final boolean protect;

    /** The registry's metrics, with Portcullis's own when it protects the registry. */
    private RegistryMetrics metrics(RegistryMetrics metrics) {
        if (protect) {
            new PortcullisMetrics(portcullis).bindTo(metrics.registry());
        }
        return metrics;
    }

    private RegistryServer(Options o, boolean protect) throws Exception {
        this.protect = protect;
        config = loadConfig(o);
        StoreApi api;
        Set<String> repositories = Set.of();
        if (o.store() == Store.MAVEN) {
            repositories = mavenRepositories(o);
            MavenStorage maven = new MavenStorage(config.dataDirectory().resolve("maven"), repositories);
            MavenRoutes routes = MavenRoutes.under(MAVEN_PREFIX);
            portcullis = config.builder().routes(t -> t.path().equals("/metrics") ? new Route.Metrics() : routes.resolve(t))
                    .existence((repository, path) -> maven.exists(path)).build();
            api = new MavenApi(MAVEN_PREFIX, maven, metrics(new RegistryMetrics("/metrics", () -> maven.repositories().size())));
        } else {
            Storage storage = new Storage(config.dataDirectory().resolve("registry"));
            portcullis = config.builder().existence(storage::tagExists).build();
            api = new RegistryApi(storage, portcullis, metrics(new RegistryMetrics("/metrics", () -> storage.repositories().size())));
        }
        resources.add(portcullis);
        port = o.server() == Kind.NETTY ? startNetty(o, api) : startJetty(o, api);
        describe(o, repositories);
    }

    public static RegistryServer start(Options options) throws Exception {
        return new RegistryServer(options, true);
    }

    /**
     * The same server and storage with no Portcullis in front — anyone may do anything. Only the
     * performance suite's baseline uses it, to measure what Portcullis costs.
     */
    public static RegistryServer startWithoutPortcullis(Options options) throws Exception {
        return new RegistryServer(options, false);
    }

    public int port() {
        return port;
    }

    public PortcullisConfig config() {
        return config;
    }

    /** Lines for a person: where it listens, which authentication is on, where data lives, how to make a first key. */
    public List<String> startupLines() {
        return List.copyOf(startup);
    }

    /** The Maven repositories the config's {@code maven.repositories} lists, else {@code releases} and {@code snapshots}. */
    private static Set<String> mavenRepositories(Options o) throws IOException {
        JsonNode listed = configTree(o).path("maven").path("repositories");
        if (listed.isMissingNode()) {
            return Set.of("releases", "snapshots");
        }
        Set<String> ids = new java.util.TreeSet<>();
        for (JsonNode id : listed) {
            if (!id.isTextual() || !id.asText().matches("[A-Za-z0-9_][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException(where(o) + ": maven.repositories must be repository ids (letters, digits, '.', '_', '-'),"
                        + " not " + id);
            }
            ids.add(id.asText());
        }
        if (!listed.isArray() || ids.isEmpty()) {
            throw new IllegalArgumentException(where(o) + ": maven.repositories must be a list of at least one repository id, such as"
                    + " [\"releases\", \"snapshots\"]");
        }
        return ids;
    }

    private static String where(Options o) {
        return o.config() != null ? o.config().toString() : "the bundled configuration";
    }

    private static ObjectNode configTree(Options o) throws IOException {
        String text;
        if (o.config() != null) {
            text = Files.readString(o.config(), StandardCharsets.UTF_8);
        } else {
            String bundled = o.store() == Store.MAVEN ? "/maven.json" : "/registry.json";
            try (InputStream in = RegistryServer.class.getResourceAsStream(bundled)) {
                text = new String(Objects.requireNonNull(in, bundled + " is bundled").readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        if (!(JSON.readTree(text) instanceof ObjectNode root)) {
            throw new IllegalArgumentException(where(o) + " is not a JSON object");
        }
        return root;
    }

    /**
     * The configuration this would run with, without starting anything (the key store path, for {@code keys}). A file
     * given with {@code --config} is watched once built: its policy reloads live, with the command line's changes
     * applied again.
     */
    public static PortcullisConfig loadConfig(Options o) throws IOException {
        try {
            if (o.config() != null) {
                return PortcullisConfig.load(o.config(), root -> adjust(root, o)); // its messages name the file
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        try {
            return PortcullisConfig.parse(JSON.writeValueAsString(adjust(configTree(o), o)), Path.of("").toAbsolutePath());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where(o) + ": " + e.getMessage(), e);
        }
    }

    /** The file as the command line changes it: without the example's own section, with {@code --data} and {@code --oidc}. */
    private static ObjectNode adjust(ObjectNode root, Options o) {
        root.remove("maven"); // the example's own section (its Maven repositories), not Portcullis's
        if (o.data() != null) {
            root.with("portcullis").put("dataDirectory", o.data().toAbsolutePath().toString());
        }
        if (o.oidc() != null) {
            ObjectNode http = root.with("http");
            http.put("externalUrl", o.oidc().externalUrl());
            ObjectNode provider = http.with("auth").with("openid").with("providers").with("oidc");
            provider.put("issuer", o.oidc().issuer()).put("clientid", o.oidc().clientId()).put("clientsecret", o.oidc().clientSecret());
            provider.putArray("scopes").add("openid").add("email").add("profile").add("groups");
        }
        return root;
    }

    /** zot's {@code http.tls} of the configuration, or null for plain HTTP. */
    private static @Nullable ServerTls tls(Options o) throws Exception {
        Path base = o.config() != null ? Objects.requireNonNull(o.config().toAbsolutePath().getParent(), "a file's directory")
                : Path.of("").toAbsolutePath();
        return ServerTls.of(configTree(o), base);
    }

    private int startJetty(Options o, StoreApi api) throws Exception {
        Server server = new Server();
        ServerTls tls = tls(o);
        ServerConnector connector;
        if (tls == null) {
            connector = new ServerConnector(server);
        } else {
            org.eclipse.jetty.server.HttpConfiguration https = new org.eclipse.jetty.server.HttpConfiguration();
            org.eclipse.jetty.server.SecureRequestCustomizer secure = new org.eclipse.jetty.server.SecureRequestCustomizer();
            secure.setSniHostCheck(false); // clients may name the registry by its address
            https.addCustomizer(secure);
            connector = new ServerConnector(server, tls.jetty(), new org.eclipse.jetty.server.HttpConnectionFactory(https));
        }
        connector.setHost(o.address());
        connector.setPort(o.port());
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        if (protect) {
            FilterHolder filter = new FilterHolder(new PortcullisFilter(portcullis));
            filter.setAsyncSupported(true);
            context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        ServletHolder servlet = new ServletHolder(new RegistryServlet(api));
        servlet.setAsyncSupported(true);
        context.addServlet(servlet, "/*");
        server.setHandler(context);
        server.start();
        resources.add(0, server::stop);
        return connector.getLocalPort();
    }

    private int startNetty(Options o, StoreApi api) throws Exception {
        ServerTls tls = tls(o);
        io.netty.handler.ssl.SslContext ssl = tls == null ? null : tls.netty();
        ThreadPoolExecutor blocking = new ThreadPoolExecutor(16, 16, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000));
        blocking.allowCoreThreadTimeOut(true);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec());
                        if (ssl != null) {
                            ch.pipeline().addLast(new io.netty.handler.stream.ChunkedWriteHandler()); // files cannot be sent zero-copy
                        }
                        if (protect) {
                            ch.pipeline().addLast(new PortcullisHttpHandler(portcullis, blocking));
                        }
                        // 100 Continue only for a request Portcullis let through; bodies are streamed, never aggregated
                        ch.pipeline().addLast(new HttpServerExpectContinueHandler()).addLast(new RegistryNettyHandler(api, blocking));
                    }
                }).bind(o.address(), o.port()).sync().channel();
        resources.add(0, () -> {
            channel.close().sync();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            blocking.shutdown();
        });
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private void describe(Options o, Set<String> mavenRepositories) throws Exception {
        boolean secure = tls(o) != null;
        String url = (secure ? "https://" : "http://") + (o.address().contains(":") ? "[" + o.address() + "]" : o.address()) + ":" + port;
        boolean maven = o.store() == Store.MAVEN;
        startup.add("Portcullis example " + (maven ? "Maven repositories" : "registry") + " (" + o.server().name().toLowerCase(java.util.Locale.ROOT)
                + ") listening on " + url + (protect ? "" : " WITHOUT ACCESS CONTROL (benchmark baseline)"));
        if (maven) {
            mavenRepositories.forEach(id -> startup.add("repository " + id + ": " + url + MAVEN_PREFIX + "/" + id + "/"));
        }
        startup.add("configuration: " + (o.config() != null ? o.config().toAbsolutePath()
                : "bundled (examples/config/" + (maven ? "maven" : "registry") + ".json)"));
        startup.add("data: " + config.dataDirectory().toAbsolutePath() + " (" + (maven ? "artifacts in maven/" : "blobs and manifests in registry/")
                + ", API keys in " + config.keyStore() + ")");
        List<String> auth = new ArrayList<>();
        auth.add("API keys");
        if (o.oidc() != null) {
            auth.add("OIDC login at " + url + "/auth/login?provider=oidc (issuer " + o.oidc().issuer() + ")");
        }
        startup.add("authentication: " + String.join(", ", auth) + "; anonymous callers may " + (maven ? "read" : "pull") + "; metrics at " + url + "/metrics");
        if (protect) {
            startup.add("self-service page (log in, mint and revoke your API keys): " + (o.oidc() != null ? o.oidc().externalUrl() : url) + "/auth/");
        }
        String data = (o.config() != null ? " --config " + o.config() : "") + (o.data() != null ? " --data " + o.data() : "");
        startup.add("first key: java -jar examples/target/portcullis-registry.jar keys create" + data
                + " --user ci --groups artifact-workloads --label ci");
    }

    @Override
    public void close() {
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing the registry: " + e);
            }
        }
    }
}
