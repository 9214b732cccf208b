package dev.portcullis.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
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
        server = new NettyServer(portcullis, aggregate());
        return server.port();
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
