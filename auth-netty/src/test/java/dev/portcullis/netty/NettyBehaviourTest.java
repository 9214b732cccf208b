package dev.portcullis.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.AuthEvent;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.policy.AccessPolicy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What only an event-loop server can get wrong: streaming, 100-continue, pipelining, identities across requests, blocking. */
class NettyBehaviourTest {
    static {
        LeakRecorder.install();
    }

    private ApiKeyService keys;
    private String ciKey;
    private Portcullis portcullis;
    private NettyServer server;

    @BeforeEach
    void start() throws Exception {
        keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1)).build();
        ciKey = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "", List.of(), null, "test")).token();
        portcullis = Portcullis.builder().policy(AccessPolicy.parse("""
                repo "**" {
                  anonymous: read
                  group artifact-workloads: read, create
                }
                """)).apiKeys(keys).existence((repo, tag) -> false).listener(e -> { }).build();
        server = new NettyServer(portcullis, false);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        keys.close();
    }

    @AfterAll
    static void noBufferLeaked() {
        assertThat(LeakRecorder.leaksAfterCollection()).isEmpty();
    }

    private String basicCi() {
        return "Basic " + Base64.getEncoder().encodeToString(("ci:" + ciKey).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads one HTTP/1.1 response with a Content-Length body from the stream. */
    private static String readResponse(InputStream in) throws Exception {
        String head = readHead(in);
        return head.split("\r\n")[0] + " | " + new String(in.readNBytes(contentLength(head)), StandardCharsets.UTF_8);
    }

    @Test
    void theEventLoopIsWatchedForBlockingCalls() {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertThatThrownBy(() -> group.submit(() -> {
                Thread.sleep(1);
                return null;
            }).get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(reactor.blockhound.BlockingOperationError.class);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDeniedLargeChunkedUploadIsAnsweredAtOnceDiscardedAndTheConnectionReused() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/team/app/blobs/uploads/abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 401 Unauthorized | {\"errors\":[{\"code\":\"UNAUTHORIZED\"");
            byte[] chunk = new byte[1 << 20];
            new Random(1).nextBytes(chunk);
            for (int i = 0; i < 50; i++) { // 50 MiB the server must read past, not keep
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write("0\r\n\r\nGET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readResponse(in)).isEqualTo("HTTP/1.1 200 OK | user=anonymous mountsDenied=");
        }
    }

    @Test
    void aDeniedUploadOnAConnectionToBeClosedIsReadToItsEndSoTheClientReadsTheAnswer() throws Exception {
        // closing with the body unread would reset the connection: the client's writes fail, its answer may be lost
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            int size = 32 << 20;
            out.write(("PUT /v2/team/app/blobs/uploads/abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < size / chunk.length; i++) {
                out.write(chunk);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 401 Unauthorized").contains("connection: close");
            in.readNBytes(contentLength(head));
            assertThat(in.read()).as("then closed").isEqualTo(-1);
        }
    }

    @Test
    void anAllowedUploadReachesTheApplicationIntact() throws Exception {
        byte[] blob = new byte[3 * (1 << 20) + 17];
        new Random(2).nextBytes(blob);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/upload/blob")).PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("bytes=" + blob.length + " sha256=" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob)));
    }

    @Test
    void expectContinueIsAnsweredOnlyAfterTheDecisionAndADeniedClientNeverSendsItsBody() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/team/app/blobs/uploads/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = readResponse(in);
            assertThat(response).startsWith("HTTP/1.1 401 Unauthorized");
            assertThat(in.read()).as("the connection is closed: the body was never sent").isEqualTo(-1);
        }
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/team/app/blobs/uploads/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nAuthorization: "
                    + basicCi() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 100 Continue");
            out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readResponse(in)).isEqualTo("HTTP/1.1 201 Created | user=ci mountsDenied=");
        }
    }

    @Test
    void aRefusalClosesTheConnectionOnlyWhenTheClientDoesNotKeepItAlive() throws Exception {
        String denied = "PUT /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n";
        String allowed = "GET /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\n\r\n";
        for (String request : List.of(denied + "Connection: close\r\n\r\n", denied.replace("HTTP/1.1", "HTTP/1.0") + "\r\n")) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                String head = readHead(in);
                assertThat(head).as(request).startsWith("HTTP/1.1 401").containsIgnoringCase("\r\nconnection: close\r\n");
                in.readNBytes(contentLength(head));
                assertThat(in.read()).as("closed after: " + request).isEqualTo(-1);
            }
        }
        for (String request : List.of(denied + "\r\n", denied.replace("HTTP/1.1", "HTTP/1.0") + "Connection: keep-alive\r\n\r\n")) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write((request + allowed).getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                String head = readHead(in);
                assertThat(head).as(request).startsWith("HTTP/1.1 401").doesNotContainIgnoringCase("connection: close");
                if (request.contains("HTTP/1.0")) {
                    assertThat(head).containsIgnoringCase("\r\nconnection: keep-alive\r\n");
                }
                in.readNBytes(contentLength(head));
                assertThat(readResponse(in)).as("the connection is kept after: " + request).isEqualTo("HTTP/1.1 200 OK | user=anonymous mountsDenied=");
            }
        }
    }

    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("connection closed after: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Test
    void aKeyRevokedWhileItsConnectionStaysOpenIsRefusedOnIt() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            String get = "GET /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nAuthorization: " + basicCi() + "\r\n\r\n";
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) { // the first decided on the executor, the others on the loop from the verified cache
                socket.getOutputStream().write(get.getBytes(StandardCharsets.ISO_8859_1));
                assertThat(readResponse(in)).isEqualTo("HTTP/1.1 200 OK | user=ci mountsDenied=");
            }
            keys.revoke(ciKey.substring(4, 15));
            socket.getOutputStream().write(get.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(readResponse(in)).as("credentials that fail are refused, though anonymous may read").startsWith("HTTP/1.1 401 Unauthorized");
        }
    }

    @Test
    void oneConnectionCarryingSeveralClientsCredentialsGivesEachRequestItsOwn() throws Exception {
        // a reverse proxy reuses one upstream connection for many clients: the connection's memory of the last valid
        // credentials must answer only those exact credentials, and only while their key holds
        String otherKey = keys.create(new ApiKeyService.KeyRequest("bob", List.of("artifact-workloads"), "", List.of(), null, "test")).token();
        String bob = "Basic " + Base64.getEncoder().encodeToString(("bob:" + otherKey).getBytes(StandardCharsets.UTF_8));
        String wrongUser = "Basic " + Base64.getEncoder().encodeToString(("bob:" + ciKey).getBytes(StandardCharsets.UTF_8));
        int at = basicCi().length() - 10;
        String oneCharChanged = basicCi().substring(0, at) + (basicCi().charAt(at) == 'A' ? 'B' : 'A') + basicCi().substring(at + 1);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            java.util.function.Function<String, String> get = authorization -> {
                try {
                    socket.getOutputStream().write(("GET /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\n"
                            + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return readResponse(in);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            for (int i = 0; i < 3; i++) { // into the verified cache, then remembered by the connection
                assertThat(get.apply(basicCi())).isEqualTo("HTTP/1.1 200 OK | user=ci mountsDenied=");
                assertThat(get.apply(bob)).isEqualTo("HTTP/1.1 200 OK | user=bob mountsDenied=");
            }
            assertThat(get.apply(basicCi())).isEqualTo("HTTP/1.1 200 OK | user=ci mountsDenied=");
            assertThat(get.apply(wrongUser)).as("ci's key under another user name").startsWith("HTTP/1.1 401 Unauthorized");
            assertThat(get.apply(basicCi())).isEqualTo("HTTP/1.1 200 OK | user=ci mountsDenied=");
            assertThat(get.apply(oneCharChanged)).startsWith("HTTP/1.1 401 Unauthorized");
            assertThat(get.apply(basicCi())).isEqualTo("HTTP/1.1 200 OK | user=ci mountsDenied=");
            assertThat(get.apply(null)).isEqualTo("HTTP/1.1 200 OK | user=anonymous mountsDenied=");
            for (int i = 0; i < 2; i++) {
                assertThat(get.apply("Bearer " + ciKey)).isEqualTo("HTTP/1.1 200 OK | user=ci mountsDenied=");
            }
            assertThat(get.apply("Bearer " + otherKey)).isEqualTo("HTTP/1.1 200 OK | user=bob mountsDenied=");
            assertThat(get.apply(bob)).isEqualTo("HTTP/1.1 200 OK | user=bob mountsDenied=");
            assertThat(get.apply(bob)).isEqualTo("HTTP/1.1 200 OK | user=bob mountsDenied=");
            keys.revoke(otherKey.substring(4, 15));
            assertThat(get.apply(bob)).as("revoked while remembered").startsWith("HTTP/1.1 401 Unauthorized");
            assertThat(get.apply(basicCi())).isEqualTo("HTTP/1.1 200 OK | user=ci mountsDenied=");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEachWithItsOwnIdentity() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            String pipelined = "PUT /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nAuthorization: " + basicCi() + "\r\n\r\n"
                    + "PUT /v2/team/app/manifests/v2 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                    + "GET /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nAuthorization: " + basicCi() + "\r\n\r\n";
            socket.getOutputStream().write(pipelined.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            assertThat(readResponse(in)).isEqualTo("HTTP/1.1 201 Created | user=ci mountsDenied=");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 401 Unauthorized");
            assertThat(readResponse(in)).isEqualTo("HTTP/1.1 200 OK | user=anonymous mountsDenied=");
            assertThat(readResponse(in)).isEqualTo("HTTP/1.1 200 OK | user=ci mountsDenied=");
        }
    }

    @Test
    void aClientThatDoesNotReadItsResponsesStopsBeingServed() throws Exception {
        int requests = 64;
        int size = 256 * 1024;
        CountDownLatch unwritable = new CountDownLatch(1);
        AtomicInteger served = new AtomicInteger();
        AtomicInteger servedWhileUnwritable = new AtomicInteger();
        ThreadPoolExecutor blocking = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10));
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = serve(group, blocking, () -> new SimpleChannelInboundHandler<HttpObject>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (!(msg instanceof LastHttpContent)) {
                        return;
                    }
                    served.incrementAndGet();
                    if (!ctx.channel().isWritable()) {
                        servedWhileUnwritable.incrementAndGet();
                    }
                    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            Unpooled.wrappedBuffer(new byte[size]));
                    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, size);
                    ctx.writeAndFlush(response);
                }

                @Override
                public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                    if (!ctx.channel().isWritable()) {
                        unwritable.countDown();
                    }
                }
            });
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(64 * 1024);
                socket.connect(channel.localAddress());
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: x\r\n\r\n".repeat(requests)
                        .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                assertThat(unwritable.await(30, TimeUnit.SECONDS)).as("16 MiB of unread responses fill the channel").isTrue();
                InputStream in = socket.getInputStream();
                for (int i = 0; i < requests; i++) {
                    String head = readHead(in);
                    assertThat(head).startsWith("HTTP/1.1 200 OK");
                    assertThat(in.readNBytes(contentLength(head))).hasSize(size);
                }
            }
            assertThat(served.get()).isEqualTo(requests);
            assertThat(servedWhileUnwritable.get()).as("requests passed on while responses were piling up unread").isZero();
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            blocking.shutdownNow();
        }
    }

    @Test
    void anApplicationThatFlushesWhenTheReadIsCompleteAnswersRequestsDecidedLater() throws Exception {
        withServer(false, () -> new SimpleChannelInboundHandler<HttpObject>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (msg instanceof LastHttpContent) {
                        Identity id = ctx.channel().attr(PortcullisHttpHandler.IDENTITY).get();
                        byte[] body = ("user=" + (id == null ? "anonymous" : id.name())).getBytes(StandardCharsets.UTF_8);
                        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                Unpooled.wrappedBuffer(body));
                        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                        ctx.write(response); // as Netty's examples do: flushed once the read is complete
                    }
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) {
                    ctx.flush();
                }
            }, socket -> {
                // the key's first use is verified on the executor (Argon2); the pipelined read after it waits its turn
                socket.getOutputStream().write(("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: x\r\nAuthorization: " + basicCi()
                        + "\r\n\r\nGET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                assertThat(readResponse(in)).isEqualTo("HTTP/1.1 200 OK | user=ci");
                assertThat(readResponse(in)).isEqualTo("HTTP/1.1 200 OK | user=anonymous");
            });
    }

    @Test
    void anUpgradeBehindTheHandlerIsRefusedNotLeftHanging() throws Exception {
        java.util.concurrent.CompletableFuture<Throwable> write = new java.util.concurrent.CompletableFuture<>();
        withServer(false, () -> new SimpleChannelInboundHandler<HttpObject>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (msg instanceof LastHttpContent) {
                        FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
                        switching.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
                        ctx.writeAndFlush(switching).addListener(f -> write.complete(f.cause()));
                    }
                }
            }, socket -> {
                socket.getOutputStream().write(("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertThat(socket.getInputStream().readAllBytes()).as("closed, and no 101 sent").isEmpty();
            });
        assertThat(write.get(10, TimeUnit.SECONDS)).as("the application's write failed").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDeniedRequestsConnectionClosesWhenAHalfClosingClientStopsSending() throws Exception {
        // with ALLOW_HALF_CLOSURE the client's end of input closes nothing by itself: the handler must, or it stays open
        CountDownLatch closed = new CountDownLatch(1);
        withServer(true, () -> new ChannelInboundHandlerAdapter() {
                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    closed.countDown();
                }
            }, socket -> {
                socket.getOutputStream().write(("PUT /v2/team/app/blobs/uploads/abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        + "Content-Length: 1000000\r\n\r\n" + "x".repeat(1000)).getBytes(StandardCharsets.ISO_8859_1));
                assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 401");
                socket.shutdownOutput(); // the rest of the body never comes
                assertThat(closed.await(10, TimeUnit.SECONDS)).as("the server closed the connection").isTrue();
            });
    }

    interface SocketTest {
        void run(Socket socket) throws Exception;
    }

    /** Runs {@code test} on a connection to a server of its own (one event loop, one blocking thread) with {@code app}. */
    private void withServer(boolean halfClosure, Supplier<ChannelHandler> app, SocketTest test) throws Exception {
        ExecutorService blocking = Executors.newSingleThreadExecutor();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = serve(group, blocking, halfClosure, app);
            try (Socket socket = new Socket()) {
                socket.connect(channel.localAddress());
                socket.setSoTimeout(10_000);
                test.run(socket);
            }
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            blocking.shutdownNow();
        }
    }

    /** A server on {@code group} with Portcullis in front of {@code app}, a new one per connection. */
    private Channel serve(MultiThreadIoEventLoopGroup group, Executor blocking, Supplier<ChannelHandler> app) throws InterruptedException {
        return serve(group, blocking, false, app);
    }

    private Channel serve(MultiThreadIoEventLoopGroup group, Executor blocking, boolean halfClosure, Supplier<ChannelHandler> app)
            throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, halfClosure)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new PortcullisHttpHandler(portcullis, blocking), app.get());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @Test
    void autoReadIsTheApplicationsOnceARequestIsPassedOn() throws Exception {
        // an application streaming an upload to slow storage turns auto-read off to pace it; chunks of what was read
        // already still arrive, and each must find auto-read as the application left it
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        ExecutorService blocking = Executors.newSingleThreadExecutor();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = serve(group, blocking, () -> new SimpleChannelInboundHandler<HttpObject>() {
                private boolean resumed;

                @Override
                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (msg instanceof io.netty.handler.codec.http.HttpRequest) {
                        resumed = false;
                        ctx.channel().config().setAutoRead(false);
                        ctx.executor().execute(() -> { // once what was read is handled
                            resumed = true;
                            ctx.channel().config().setAutoRead(true);
                        });
                        return;
                    }
                    if (!resumed) {
                        seen.add("auto-read " + ctx.channel().config().isAutoRead());
                    }
                    if (msg instanceof LastHttpContent) {
                        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                        ctx.writeAndFlush(response);
                    }
                }
            });
            try (Socket socket = new Socket()) {
                socket.connect(channel.localAddress());
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                // the key's first use is verified elsewhere (Argon2); then the upload is decided on the event loop, with
                // its head and chunks read at once
                out.write(("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: x\r\nAuthorization: " + basicCi() + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                assertThat(readResponse(in)).isEqualTo("HTTP/1.1 200 OK | ");
                out.write(("PUT /v2/team/app/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nAuthorization: " + basicCi()
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertThat(readResponse(in)).isEqualTo("HTTP/1.1 200 OK | ");
            }
            assertThat(seen).as("what the application saw before it turned auto-read on again").hasSize(4).containsOnly("auto-read false");
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            blocking.shutdownNow();
        }
    }

    @Test
    void anUndecodableRequestIsRefusedUncacheablyAndClosed() throws Exception {
        List<AuthEvent> events = Collections.synchronizedList(new ArrayList<>());
        Portcullis audited = Portcullis.builder().policy(AccessPolicy.parse("""
                repo "**" {
                  anonymous: read
                }
                """)).existence((repo, tag) -> false).listener(events::add).build();
        try (NettyServer refusing = new NettyServer(audited, false); Socket socket = new Socket("127.0.0.1", refusing.port())) {
            socket.setSoTimeout(30_000);
            // over the codec's 8 KiB limit for the head's headers
            socket.getOutputStream().write(("GET /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(9000)
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 431 ").contains("Cache-Control: no-store").contains("connection: close");
            assertThat(new String(in.readNBytes(contentLength(head)), StandardCharsets.UTF_8)).contains("\"the request headers are too large\"");
            assertThat(in.read()).as("closed: where the next request starts is unknown").isEqualTo(-1);
        }
        assertThat(events).as("nothing is decided on a request nobody could read").isEmpty();
    }

    @Test
    void aRequestAfterAnExpectationTheAggregatorRefusedIsDecidedAsAnyOther() throws Exception {
        // the aggregator behind the handler answers 417 to an OPTIONS (not policy-checked) with an Expect it does not
        // know, and the codec skips that request's body: the DELETE after it must still be decided, not passed on as
        // the OPTIONS's content
        try (NettyServer aggregating = new NettyServer(portcullis, true); Socket socket = new Socket("127.0.0.1", aggregating.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("OPTIONS /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nExpect: x\r\nContent-Length: 1\r\n\r\n"
                    + "DELETE /v2/team/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 417 Expectation Failed");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 401 Unauthorized");
        }
    }

    /** An embedded channel with Portcullis in front of an application that records what reaches it and answers nothing itself. */
    private EmbeddedChannel embedded(Executor blocking, List<Object> reached) {
        return new EmbeddedChannel(new PortcullisHttpHandler(portcullis, blocking), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                reached.add(msg);
                ReferenceCountUtil.release(msg);
            }
        });
    }

    private static DefaultHttpRequest get(String path) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        request.headers().set(HttpHeaderNames.HOST, "x");
        return request;
    }

    @Test
    void aRequestHeadWhereContentWasDueIsNeverPassedOnAndClosesTheConnection() {
        List<Object> reached = new ArrayList<>();
        EmbeddedChannel channel = embedded(Runnable::run, reached);
        DefaultHttpRequest allowed = get("/v2/team/app/manifests/v1");
        channel.writeInbound(allowed);
        assertThat(reached).containsExactly(allowed);
        // the codec lost track of where the last request ended, and a DELETE head arrives where its content was due
        DefaultFullHttpRequest unjudged = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.DELETE, "/v2/team/app/manifests/v1");
        channel.writeInbound(unjudged);
        assertThat(reached).containsExactly(allowed);
        assertThat(unjudged.refCnt()).isZero();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aDecisionThatArrivesAfterTheConnectionClosedIsNotPassedOn() {
        List<Runnable> decisions = new ArrayList<>();
        List<Object> reached = new ArrayList<>();
        EmbeddedChannel channel = embedded(decisions::add, reached);
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/team/app/manifests/v1");
        request.headers().set(HttpHeaderNames.HOST, "x").set(HttpHeaderNames.AUTHORIZATION, basicCi()); // not cached yet: Argon2
        channel.writeInbound(request);
        assertThat(decisions).hasSize(1);
        channel.close();
        decisions.get(0).run();
        channel.runPendingTasks();
        assertThat(reached).isEmpty();
        assertThat(request.refCnt()).isZero();
    }

    @Test
    void whileRequestsWaitTheQueueStaysBoundedEvenIfTheApplicationTurnsAutoReadOn() {
        List<Object> reached = new ArrayList<>();
        EmbeddedChannel channel = embedded(Runnable::run, reached);
        channel.writeInbound(get("/v2/team/app/manifests/v1"), LastHttpContent.EMPTY_LAST_CONTENT);
        channel.writeInbound(get("/v2/team/app/manifests/v2")); // waits for the first response
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.config().setAutoRead(true); // the application, pacing an upload of its own
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(channel.config().isAutoRead()).as("off again while requests wait").isFalse();
        assertThat(reached).hasSize(2);
        respond(channel);
        channel.runPendingTasks();
        assertThat(reached).hasSize(4);
        assertThat(channel.config().isAutoRead()).as("on again, as the application last set it").isTrue();
        channel.finishAndReleaseAll();
    }

    /**
     * The application's response, written from its own handler's context (not flushed: an embedded channel runs its
     * pending tasks inside a flush, which a real event loop does not).
     */
    private static void respond(EmbeddedChannel channel) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        channel.pipeline().lastContext().write(response);
    }

    @Test
    void theNextRequestReachesTheApplicationAfterItsWriteReturnsNotFromInsideIt() {
        List<Object> reached = new ArrayList<>();
        EmbeddedChannel channel = embedded(Runnable::run, reached);
        channel.writeInbound(get("/v2/team/app/manifests/v1"), LastHttpContent.EMPTY_LAST_CONTENT,
                get("/v2/team/app/manifests/v2"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(reached).hasSize(2);
        // the application answers later, from a task of its own on the event loop (storage completing, say)
        respond(channel);
        assertThat(reached).as("nothing passed on from within the application's write").hasSize(2);
        channel.runPendingTasks();
        assertThat(reached).hasSize(4);
        channel.finishAndReleaseAll();
    }

    @Test
    void anErrorWhileDecidingElsewhereIsAnsweredNotLeftWaiting() {
        Portcullis failing = Portcullis.builder().policy(AccessPolicy.parse("""
                repo "**" {
                  group artifact-workloads: read, create
                }
                """)).apiKeys(keys).existence((repo, tag) -> {
                    throw new AssertionError("the application's lookup broke");
                }).listener(e -> { }).build();
        EmbeddedChannel channel = new EmbeddedChannel(new PortcullisHttpHandler(failing, Runnable::run));
        DefaultFullHttpRequest push = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/v2/team/app/manifests/v1");
        push.headers().set(HttpHeaderNames.HOST, "x").set(HttpHeaderNames.AUTHORIZATION, basicCi()).set(HttpHeaderNames.CONTENT_LENGTH, 0);
        channel.writeInbound(push);
        channel.runPendingTasks();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status().code()).isEqualTo(503);
        response.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aMalformedChunkOfADeniedUploadClosesTheConnectionAfterTheAnswer() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("PUT /v2/team/app/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\nZZ\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 401 Unauthorized");
            assertThat(in.read()).as("closed: the codec reads nothing more on it").isEqualTo(-1);
        }
    }

    @Test
    void aBuiltInEndpointThatNeedsTheBodyAsksAClientThatExpectsContinue() throws Exception {
        byte[] body = "{\"label\": \"laptop\"}".getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /auth/apikey HTTP/1.1\r\nHost: x\r\nAuthorization: " + basicCi() + "\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 100 Continue");
            out.write(body);
            assertThat(readResponse(in)).startsWith("HTTP/1.1 201 Created");
        }
    }

    @Test
    void manyConnectionsWithMixedIdentitiesEachSeeOnlyTheirOwn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            boolean asCi = t % 2 == 0;
            results.add(pool.submit(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                int ok = 0;
                for (int i = 0; i < 40; i++) {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/team/app/manifests/t" + i));
                    if (asCi) {
                        b.header("Authorization", basicCi()).PUT(HttpRequest.BodyPublishers.ofString("m"));
                    }
                    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.body()).isEqualTo(asCi ? "user=ci mountsDenied=" : "user=anonymous mountsDenied=");
                    ok++;
                }
                return ok;
            }));
        }
        int total = 0;
        for (Future<Integer> f : results) {
            total += f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(total).isEqualTo(8 * 40);
    }
}
