package dev.portcullis.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The body of a request to an endpoint that reads it (the API-key endpoints, the self-service page), kept up to the
 * pipeline's limit and one byte more, so that a longer one shows as longer than the limit; the rest is released as it
 * arrives.
 */
final class BoundedBody {
    private final ByteBuf kept;
    private final int limit;

    BoundedBody(ByteBufAllocator alloc, int limit) {
        this.kept = alloc.buffer();
        this.limit = limit;
    }

    /** Keeps what fits of {@code content} (the caller still owns and releases it). */
    void add(ByteBuf content) {
        int room = limit + 1 - kept.readableBytes();
        if (room > 0) {
            kept.writeBytes(content, content.readerIndex(), Math.min(content.readableBytes(), room));
        }
    }

    /** What was kept; the buffer is released. */
    byte[] take() {
        byte[] bytes = new byte[kept.readableBytes()];
        kept.readBytes(bytes);
        kept.release();
        return bytes;
    }

    void release() {
        kept.release();
    }
}
