package dev.portcullis.examples.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's OpenLDAP server ({@code slapd}, installed by {@code .ci/run}) in a directory of its own, on 127.0.0.1: an MDB
 * database for {@code dc=example,dc=org} with the memberOf overlay, users under {@code ou=Users} and groups (groupOfNames)
 * under {@code ou=Groups}, loaded with {@code ldapadd}. Passwords are stored as given; simple binds check them.
 */
final class Slapd implements AutoCloseable {
    static final String BASE = "ou=Users,dc=example,dc=org";
    static final String ADMIN_DN = "cn=admin,dc=example,dc=org";
    static final String ADMIN_PASSWORD = "admin-secret";
    private final Path dir;
    private final int port;
    private Process process;

    private Slapd(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/sbin/slapd")) && Files.isExecutable(Path.of("/usr/bin/ldapadd"));
    }

    /** Starts slapd in {@code dir} and loads {@code ldif} (entries under {@code dc=example,dc=org}). */
    static Slapd start(Path dir, String ldif) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("db"));
        Files.writeString(dir.resolve("slapd.conf"), """
                include /etc/ldap/schema/core.schema
                include /etc/ldap/schema/cosine.schema
                include /etc/ldap/schema/inetorgperson.schema
                include /etc/ldap/schema/nis.schema
                modulepath /usr/lib/ldap
                moduleload back_mdb
                moduleload memberof
                pidfile %1$s/slapd.pid
                database mdb
                maxsize 10485760
                suffix "dc=example,dc=org"
                rootdn "%2$s"
                rootpw %3$s
                directory %1$s/db
                overlay memberof
                """.formatted(dir, ADMIN_DN, ADMIN_PASSWORD));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        Slapd slapd = new Slapd(dir, port);
        slapd.up();
        Path data = dir.resolve("data.ldif");
        Files.writeString(data, """
                dn: dc=example,dc=org
                objectClass: top
                objectClass: dcObject
                objectClass: organization
                o: example
                dc: example

                dn: ou=Users,dc=example,dc=org
                objectClass: organizationalUnit
                ou: Users

                dn: ou=Groups,dc=example,dc=org
                objectClass: organizationalUnit
                ou: Groups

                """ + ldif);
        Process add = new ProcessBuilder("/usr/bin/ldapadd", "-x", "-H", slapd.url(), "-D", ADMIN_DN, "-w", ADMIN_PASSWORD, "-f", data.toString())
                .redirectErrorStream(true).start();
        String out = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (add.waitFor() != 0) {
            slapd.close();
            throw new IllegalStateException("ldapadd failed: " + out);
        }
        return slapd;
    }

    String url() {
        return "ldap://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** Runs slapd in the foreground (its log in slapd.log) and waits until it accepts connections. */
    void up() throws IOException, InterruptedException {
        process = new ProcessBuilder("/usr/sbin/slapd", "-d", "256", "-h", url() + "/", "-f", dir.resolve("slapd.conf").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("slapd.log").toFile())).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("slapd did not start: " + String.join("\n", tail()));
                }
                process.waitFor(100, TimeUnit.MILLISECONDS); // returns early if slapd died
            }
        }
    }

    /** Stops slapd (SIGTERM), as a directory that went away; {@link #up()} brings it back with its data. */
    void down() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private List<String> tail() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("slapd.log"));
        return lines.subList(Math.max(0, lines.size() - 30), lines.size());
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            down();
        }
    }
}
