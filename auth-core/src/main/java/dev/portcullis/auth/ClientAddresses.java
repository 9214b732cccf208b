package dev.portcullis.auth;

import java.util.List;
import java.util.Set;

/** The client's address: the socket's, or — behind trusted proxies only — the nearest untrusted X-Forwarded-For hop. */
final class ClientAddresses {
    private final Set<String> trusted;

    ClientAddresses(List<String> trustedProxies) {
        this.trusted = Set.copyOf(trustedProxies);
    }

    String of(HttpRequestView request) {
        String address = request.remoteAddress();
        if (!trusted.contains(address)) {
            return address;
        }
        List<String> forwarded = request.headers("X-Forwarded-For");
        String[] hops = String.join(",", forwarded).split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (!hop.isEmpty() && !trusted.contains(hop)) {
                return hop;
            }
        }
        return address;
    }
}
