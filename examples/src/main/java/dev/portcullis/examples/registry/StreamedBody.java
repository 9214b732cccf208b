package dev.portcullis.examples.registry;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * A request body on its way from the event loop to the thread that reads it, never whole in memory: the event loop
 * {@linkplain #offer offers} chunks as they arrive, and stops reading the connection (auto-read off) once more than
 * {@link #HIGH_WATER} bytes wait; the reader takes them and turns reading on again when they fall below
 * {@link #LOW_WATER}. Once the reader {@linkplain #close closes} it (it answered without needing the rest, or had all
 * it wanted), whatever still arrives is released at once. Thread-safe between one producer and one consumer.
 */
final class StreamedBody extends InputStream {
    static final int HIGH_WATER = 256 * 1024;
    static final int LOW_WATER = 64 * 1024;

    private final Channel channel;
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private int waiting; // bytes in chunks
    private boolean ended;
    private boolean closed;
    private boolean paused; // auto-read turned off here

    StreamedBody(Channel channel) {
        this.channel = channel;
    }

    /** From the event loop: the next chunk (retained by the caller for this stream), and whether it is the last. */
    void offer(ByteBuf chunk, boolean last) {
        boolean pause;
        synchronized (this) {
            if (closed) {
                chunk.release();
                return;
            }
            if (chunk.isReadable()) {
                chunks.add(chunk);
                waiting += chunk.readableBytes();
            } else {
                chunk.release();
            }
            ended |= last;
            pause = !paused && waiting > HIGH_WATER;
            paused |= pause;
            notifyAll();
        }
        if (pause) {
            channel.config().setAutoRead(false);
        }
    }

    /** From the event loop: the connection went before the body ended. */
    synchronized void abort() {
        ended = true;
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        boolean resume;
        int n;
        synchronized (this) {
            while (chunks.isEmpty() && !ended && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the request body");
                }
            }
            if (chunks.isEmpty()) {
                return -1;
            }
            ByteBuf head = chunks.peek();
            n = Math.min(len, head.readableBytes());
            head.readBytes(b, off, n);
            if (!head.isReadable()) {
                chunks.poll().release();
            }
            waiting -= n;
            resume = paused && waiting < LOW_WATER;
            paused &= !resume;
        }
        if (resume) {
            channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
        }
        return n;
    }

    /** Releases what waits and everything that arrives later; reading resumes, so that the rest of the body is drained. */
    @Override
    public void close() {
        boolean resume;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            chunks.forEach(ByteBuf::release);
            chunks.clear();
            waiting = 0;
            resume = paused;
            paused = false;
            notifyAll();
        }
        if (resume) {
            channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
        }
    }
}
