package dev.portcullis.servlet;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.MavenRoutes;
import dev.portcullis.auth.routes.OciDistributionRoutes;
import dev.portcullis.auth.routes.PathRoutes;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.policy.AccessPolicy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Portcullis as a Jakarta Servlet filter: a thin adapter, every decision is the pipeline's.
 *
 * <p>Embedded: {@code new PortcullisFilter(portcullis)}. In {@code web.xml}: the init-param
 * {@code config} names a zot {@code config.json} (with an optional {@code portcullis} section; a path starting with
 * {@code /WEB-INF/} lies inside the web application), and the optional init-param {@code routes} says what the
 * application is: {@code oci} (the default), {@code maven:/PREFIX} or {@code paths:TEMPLATE}.
 * The application sees the caller through {@code getRemoteUser()}, {@code getUserPrincipal()},
 * {@code isUserInRole(group)}, {@code getAuthType()} and the request attribute
 * {@link #IDENTITY_ATTRIBUTE} (an {@link Identity}); denied cross-repository mount sources are in
 * {@link #DENIED_MOUNTS_ATTRIBUTE}; what a write was allowed under (the target must still be absent when it
 * commits, for a caller who may create but not update) is in {@link #WRITE_CONDITIONS_ATTRIBUTE}. The filter must be
 * registered with async support so that {@code failDelay} never holds a request thread.
 */
public final class PortcullisFilter implements Filter {
    /**
     * A request attribute: the caller's {@link Identity}, set on a request passed on when the caller authenticated;
     * absent for an anonymous caller, and on paths other than {@code /v2/} that the routes leave unprotected (their
     * credentials are not looked at).
     */
    public static final String IDENTITY_ATTRIBUTE = "dev.portcullis.identity";
    /**
     * A request attribute: a {@code Set<String>} of the cross-repository mount sources the caller may not read, set on
     * every request passed on (empty for most). The registry answers a mount from one of them with a normal upload
     * instead.
     */
    public static final String DENIED_MOUNTS_ATTRIBUTE = "dev.portcullis.deniedMountSources";
    /**
     * A request attribute: a {@code List<}{@link WriteCondition}{@code >}, set on every request passed on (empty when
     * unconditional): check each when committing the write, atomically with it, and answer
     * {@link #write(HttpServletResponse, Outcome.Respond) write(response, condition.refusal())} when one no longer
     * holds.
     */
    public static final String WRITE_CONDITIONS_ATTRIBUTE = "dev.portcullis.writeConditions";
    /**
     * Request attribute with the {@code Set<Behaviour>} zot's behaviour actions give the caller on the request's
     * repository (for a {@code DELETE}; see {@link Outcome.Proceed#behaviours()}), such as
     * {@link dev.portcullis.policy.Behaviour#DETECT_MANIFEST_COLLISION}.
     */
    public static final String BEHAVIOURS_ATTRIBUTE = "dev.portcullis.behaviours";

    /**
     * A servlet-context attribute where a {@code web.xml} application puts its {@link ExistenceLookup}
     * (from a {@code ServletContextListener}) before the filter starts. Without it, {@link #init(FilterConfig)} fails
     * when the routes may write tags and the policy grants create without update (or the reverse).
     */
    public static final String EXISTENCE_ATTRIBUTE = "dev.portcullis.existenceLookup";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PortcullisFilter.class);

    private @Nullable Portcullis portcullis; // null until init reads the configuration
    private boolean owned;
    private @Nullable ClassLoader applicationLoader;
    private volatile boolean warnedAboutAsync;
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portcullis-fail-delay");
        t.setDaemon(true);
        return t;
    });

    /** For {@code web.xml}: configured in {@link #init(FilterConfig)} from the {@code config} init-param. */
    public PortcullisFilter() {
    }

    /**
     * For an embedding application: the filter uses this instance and ignores init-params. The application closes the
     * instance; {@link #destroy()} does not.
     *
     * @param portcullis the built pipeline
     */
    public PortcullisFilter(Portcullis portcullis) {
        this.portcullis = portcullis;
    }

    /**
     * Builds the pipeline from the init-params {@code config} and {@code routes} and the servlet-context attribute
     * {@link #EXISTENCE_ATTRIBUTE}; does nothing more for a filter made with a built pipeline. On Jetty, first turns
     * the server's header cache off: by default it hands the application an
     * {@code Authorization} value sent earlier on the connection for one that differs from it only in case.
     *
     * @param config the filter's configuration from the container
     * @throws ServletException when {@code config} is missing or its file is unreadable or invalid, {@code routes} is
     *     not {@code oci}, {@code maven:/PREFIX} or {@code paths:TEMPLATE}, the attribute is not an
     *     {@link ExistenceLookup}, or the pipeline cannot be built; the message says why
     */
    @Override
    public void init(FilterConfig config) throws ServletException {
        secureJettyHeaderCache(config.getServletContext());
        if (portcullis != null) {
            return;
        }
        String file = config.getInitParameter("config");
        if (file == null || file.isBlank()) {
            throw new ServletException("PortcullisFilter needs the init-param 'config': the path of a zot config.json, or"
                    + " /WEB-INF/config.json for one inside the web application");
        }
        // every init-param and attribute is checked before the configuration opens anything (its key store, say)
        String routesParam = config.getInitParameter("routes");
        RouteResolver routes = routesParam == null || routesParam.isBlank() ? null : routes(routesParam.strip());
        Object existence = config.getServletContext().getAttribute(EXISTENCE_ATTRIBUTE);
        if (existence != null && !(existence instanceof ExistenceLookup)) {
            throw new ServletException("PortcullisFilter: the servlet-context attribute " + EXISTENCE_ATTRIBUTE + " is a "
                    + existence.getClass().getName() + ", not a " + ExistenceLookup.class.getName());
        }
        Path configFile = configFile(file.strip(), config.getServletContext());
        try {
            Portcullis.Builder builder = PortcullisConfig.load(configFile).builder();
            if (routes != null) {
                builder.routes(routes);
            }
            if (existence instanceof ExistenceLookup lookup) {
                builder.existence(lookup);
            }
            portcullis = builder.build();
            owned = true;
            applicationLoader = config.getServletContext().getClassLoader();
        } catch (RuntimeException e) {
            throw new ServletException("PortcullisFilter: " + e.getMessage(), e);
        }
    }

    private static void secureJettyHeaderCache(ServletContext context) {
        JettyHeaderCache.Result r = JettyHeaderCache.secure(context);
        if (r.problem() != null) {
            LOG.warn("PortcullisFilter runs on Jetty but cannot turn its header cache off ({}): Jetty may hand it an"
                    + " Authorization header sent earlier on a connection for one that differs from it only in case, and so accept"
                    + " a wrong credential as a right one; set HttpConfiguration.setHeaderCacheSize(0) on every connector"
                    + " (jetty.httpConfig.headerCacheSize=0)", r.problem());
        } else if (r.changed() > 0) {
            LOG.info("Jetty's header cache turned off ({} HTTP configuration(s)): credentials are judged exactly as sent",
                    r.changed());
        }
    }

    /**
     * The {@code config} init-param as a file: a path starting with {@code /WEB-INF/} lies inside the web application
     * (which the container must have unpacked); any other path is the file system's.
     */
    static Path configFile(String value, ServletContext context) throws ServletException {
        if (!value.startsWith("/WEB-INF/")) {
            return Path.of(value);
        }
        String real = context.getRealPath(value);
        if (real == null) {
            throw new ServletException("PortcullisFilter: the init-param 'config' names " + value + " inside the web application,"
                    + " but the container serves the application from an archive it did not unpack; unpack the WAR, or give an"
                    + " absolute path");
        }
        return Path.of(real);
    }

    /**
     * The {@code routes} init-param: {@code oci} (the OCI distribution API under {@code /v2/}, the default),
     * {@code maven:/PREFIX} (Maven repositories under a prefix) or {@code paths:TEMPLATE} (a generic store, e.g.
     * {@code paths:/files/{repo:2}/**}).
     */
    static RouteResolver routes(String value) throws ServletException {
        try {
            if (value.equals("oci")) {
                return OciDistributionRoutes.INSTANCE;
            }
            if (value.startsWith("maven:")) {
                return MavenRoutes.under(value.substring("maven:".length()).strip());
            }
            if (value.startsWith("paths:")) {
                return PathRoutes.of(value.substring("paths:".length()).strip());
            }
        } catch (IllegalArgumentException e) {
            throw new ServletException("PortcullisFilter: the init-param 'routes' (" + value + "): " + e.getMessage(), e);
        }
        throw new ServletException("PortcullisFilter: the init-param 'routes' is '" + value + "'; write oci, maven:/PREFIX"
                + " (e.g. maven:/maven) or paths:TEMPLATE (e.g. paths:/files/{repo:2}/**)");
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("PortcullisFilter handles HTTP requests only");
        }
        Portcullis portcullis = this.portcullis;
        if (portcullis == null) {
            throw new ServletException("PortcullisFilter was not initialised: the container must call init before doFilter");
        }
        ServletRequestView view = new ServletRequestView(request);
        // when the URI does not begin with the context path as written, which path the application would see is the
        // container's guess: nothing is decided on it (400, as for the pipeline's other ambiguous paths)
        Outcome outcome = view.contextPathAsWritten() ? portcullis.handle(view)
                : portcullis.refuse(view, 400, "UNSUPPORTED", "the request path must begin with the application's context path as written,"
                        + " not encoded or normalised");
        if (outcome instanceof Outcome.Proceed proceed) {
            proceed.responseHeaders().forEach(response::setHeader);
            if (proceed.identity() != null) {
                request.setAttribute(IDENTITY_ATTRIBUTE, proceed.identity());
            }
            request.setAttribute(DENIED_MOUNTS_ATTRIBUTE, proceed.deniedMountSources());
            request.setAttribute(WRITE_CONDITIONS_ATTRIBUTE, proceed.writeConditions());
            request.setAttribute(BEHAVIOURS_ATTRIBUTE, proceed.behaviours());
            AccessPolicy decidedBy = proceed.policy();
            chain.doFilter(new AuthenticatedRequest(request, response, proceed.identity(), decidedBy != null ? decidedBy : portcullis.policy()),
                    response);
            return;
        }
        Outcome.Respond respond = (Outcome.Respond) outcome;
        if (view.bodyLeftUnread()) {
            // The body of a refused request is not read (it may be large and nobody vouched for it), so the connection
            // cannot carry another request: say so. Jetty would otherwise close it silently after the answer, and a
            // pooling client's next request on it would get no answer at all.
            response.setHeader("Connection", "close");
        }
        if (respond.delay().isZero()) {
            write(response, respond);
            return;
        }
        if (!request.isAsyncSupported()) {
            // the delay is a defence, so it is kept even though a thread waits for it
            if (!warnedAboutAsync) {
                warnedAboutAsync = true;
                LOG.warn("PortcullisFilter is not async-supported: failDelay holds a request thread; declare <async-supported>true</async-supported>");
            }
            try {
                Thread.sleep(respond.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            write(response, respond);
            return;
        }
        // with the request and response as this filter got them, so that the filters before it see the answer too
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(respond.delay().toMillis() + 30_000);
        // the delay's one thread only hands the answer to the container: a client that does not read cannot hold it up
        delays.schedule(() -> startWriting(async, respond), respond.delay().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Writes a delayed answer on one of the container's threads, as it writes every other answer. */
    private static void startWriting(AsyncContext async, Outcome.Respond respond) {
        try {
            async.start(() -> {
                try {
                    write((HttpServletResponse) async.getResponse(), respond);
                } catch (IOException e) {
                    // the client went away during the delay; nothing to answer
                } finally {
                    async.complete();
                }
            });
        } catch (RuntimeException e) {
            // the container is stopping or timed the request out meanwhile: the request ends unanswered, never allowed
            LOG.debug("a delayed {} was not sent: {}", respond.status(), e.toString());
            try {
                async.complete();
            } catch (IllegalStateException completed) {
                // already completed by the container
            }
        }
    }

    /**
     * Writes a response of Portcullis's (such as a {@link WriteCondition#refusal()}) as the filter writes its own:
     * status, headers, cookies and body, and no delay.
     *
     * @param response the response to write to, not yet committed
     * @param respond the answer to write; its delay is ignored
     * @throws IOException when the body cannot be written, such as when the client went away
     */
    public static void write(HttpServletResponse response, Outcome.Respond respond) throws IOException {
        response.setStatus(respond.status());
        respond.headers().forEach(response::setHeader);
        respond.cookies().forEach(c -> response.addHeader("Set-Cookie", c));
        response.setContentType(respond.contentType());
        response.setContentLength(respond.body().length);
        response.getOutputStream().write(respond.body());
        response.flushBuffer();
    }

    /**
     * Stops the delay thread and, for a Portcullis built from {@code web.xml}, closes it and releases what its
     * libraries in the application's {@code WEB-INF/lib} hold JVM-wide ({@link ApiKeyService#releaseLibraries}):
     * undeploying the application leaves no thread, JDBC driver or ThreadLocal of it behind.
     */
    @Override
    public void destroy() {
        delays.shutdownNow();
        try {
            delays.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Portcullis portcullis = this.portcullis;
        ClassLoader loader = applicationLoader;
        if (owned && portcullis != null && loader != null) {
            portcullis.close();
            ApiKeyService.releaseLibraries(loader);
        }
    }
}
