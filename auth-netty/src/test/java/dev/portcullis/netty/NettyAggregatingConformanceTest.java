package dev.portcullis.netty;

/** The conformance suite on Netty with an HttpObjectAggregator collecting each request behind the handler. */
class NettyAggregatingConformanceTest extends NettyConformanceTest {
    @Override
    boolean aggregate() {
        return true;
    }
}
