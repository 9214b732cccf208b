package dev.portcullis.netty;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Handing a decision to the blocking executor takes the executor queue's lock for a moment; that is
 * a hand-off, not blocking work, so BlockHound is told to allow it — and nothing else.
 */
public final class ExecutorHandOffIntegration implements BlockHoundIntegration {
    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "execute");
    }
}
