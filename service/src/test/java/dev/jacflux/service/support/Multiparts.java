package dev.jacflux.service.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A {@code multipart/form-data} body for the JDK HttpClient. */
public final class Multiparts {
    private final String boundary = "jacflux-" + UUID.randomUUID();
    private final Map<String, byte[]> parts = new LinkedHashMap<>();

    /** Adds a file part. */
    public Multiparts part(String name, byte[] content) {
        parts.put(name, content);
        return this;
    }

    /** The Content-Type header value. */
    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    /** The body bytes. */
    public byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : parts.entrySet()) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"; filename=\"" + e.getKey()
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(e.getValue());
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
