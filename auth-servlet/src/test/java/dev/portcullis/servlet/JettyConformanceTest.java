package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
import java.util.Map;

/** The conformance suite on Jetty 12 (ee10). */
class JettyConformanceTest extends HttpConformanceSuite {
    private Containers.Running jetty;

    @Override
    protected int start(Portcullis portcullis) throws Exception {
        jetty = Containers.jetty(portcullis, "/", new EchoRegistryServlet(portcullis, tags()));
        return jetty.port();
    }

    /** Jetty 12's RFC 9110 compliance mode refuses these itself, before the filter runs. */
    @Override
    protected Map<String, Integer> containerAnswers() {
        return Map.of("obs-fold", 400, "bare-cr", 400, "cl-te", 400, "nul", 400);
    }

    @Override
    protected void stop() throws Exception {
        jetty.close();
    }
}
