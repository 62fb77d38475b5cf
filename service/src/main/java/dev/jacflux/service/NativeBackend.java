package dev.jacflux.service;

import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's native backend, loaded once at start-up.
 *
 * <pre>{@code
 * NativeBackend b = NativeBackend.load();   // "CpuBackend"; or IllegalStateException naming the cause
 * }</pre>
 *
 * @param name the backend's class name, e.g. {@code CpuBackend}
 */
public record NativeBackend(String name) {

    /**
     * Loads the backend and runs one tiny operation.
     *
     * @throws IllegalStateException with a one-line cause if the native libraries do not load
     */
    public static NativeBackend load() {
        try {
            String name = Nd4j.getBackend().getClass().getSimpleName();
            Nd4j.create(new float[] {1, 2}).addi(1);
            return new NativeBackend(name);
        } catch (Throwable e) {   // UnsatisfiedLinkError, ExceptionInInitializerError, ...
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new IllegalStateException("ND4J's native backend did not load (" + root.getClass().getSimpleName() + ": "
                    + String.valueOf(root.getMessage()).replaceAll("\\s+", " ") + "); the service needs the linux-x86_64 natives", e);
        }
    }
}
