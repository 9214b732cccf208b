package dev.portcullis.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The conformance suite, unchanged, on a real Netty server without an aggregator (streaming). */
class NettyConformanceTest extends HttpConformanceSuite {
    static {
        LeakRecorder.install();
    }

    private NettyServer server;

    /** Whether an HttpObjectAggregator sits behind the handler. */
    boolean aggregate() {
        return false;
    }

    @Override
    protected int start(Portcullis portcullis) throws Exception {
        server = new NettyServer(portcullis, aggregate(), tags());
        return server.port();
    }

    /**
     * Netty's codec fails to decode these; the handler answers 400 and closes (as it answers 431
     * and 414 for oversize heads, which are therefore Portcullis' own answers here). Netty unfolds
     * obs-fold, as RFC 9112 allows, and passes two Host headers on, which Portcullis refuses (400).
     */
    @Override
    protected Map<String, Integer> containerAnswers() {
        return Map.of("bare-cr", 400, "nul", 400, "bare-lf", 400, "cl-te", 400);
    }

    @Override
    protected void stop() throws Exception {
        server.close();
    }

    @AfterAll
    static void noBufferLeaked() {
        assertThat(LeakRecorder.leaksAfterCollection()).isEmpty();
    }
}
