package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
import java.util.Map;

/** The conformance suite on embedded Tomcat 11. */
class TomcatConformanceTest extends HttpConformanceSuite {
    private Containers.Running tomcat;

    @Override
    protected int start(Portcullis portcullis) throws Exception {
        tomcat = Containers.tomcat(portcullis, "/", new EchoRegistryServlet(portcullis, tags()));
        return tomcat.port();
    }

    /**
     * Tomcat 11 refuses these itself, before the filter runs. A request with both Content-Length
     * and chunked encoding is read as chunked and answered, then the connection is closed, so what
     * hides behind it is never read (RFC 9112 6.1). Tomcat unfolds obs-fold, as RFC 9112 allows.
     */
    @Override
    protected Map<String, Integer> containerAnswers() {
        return Map.of("bare-cr", 400, "oversize-header", 400, "oversize-uri", 400, "nul", 400, "cl-te", 200);
    }

    @Override
    protected void stop() throws Exception {
        tomcat.close();
    }
}
