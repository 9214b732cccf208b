package dev.portcullis.auth.conformance;

import dev.portcullis.auth.Portcullis;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every case of the suite, on the JDK's own HTTP server with {@link JdkHttpServerAdapter}: run on every build of the
 * core. It is docs/extending.md's example of a conformance test for an adapter of your own, word for word.
 */
@ExtendWith(JdkHttpServerLimits.class)
class JdkHttpServerConformanceTest extends HttpConformanceSuite {
    private JdkHttpServer server;

    @Override
    protected int start(Portcullis portcullis) throws Exception {   // 127.0.0.1, an ephemeral port
        server = JdkHttpServer.start(portcullis, new EchoApplication(portcullis, tags()));
        return server.port();
    }

    @Override
    protected void stop() throws Exception {
        server.close();
    }

    @Override
    protected Map<String, Integer> containerAnswers() {   // what the server refuses itself, before any adapter: CL with TE
        return Map.of("cl-te", 400);
    }
}
