package dev.jacflux.service.models;

import java.nio.file.Files;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The model store as a health component ({@code models}): UP with the number of stored models and
 * the free space of their file system when the directory is writable, DOWN otherwise. (The path
 * itself is not shown: health is public.)
 *
 * <pre>{@code
 * "models": {"status": "UP", "details": {"count": 3, "freeBytes": 81830526976}}
 * }</pre>
 */
public final class ModelStoreHealthIndicator implements HealthIndicator {
    private final ModelStore store;

    /** An indicator of {@code store}. */
    public ModelStoreHealthIndicator(ModelStore store) {
        this.store = store;
    }

    @Override
    public Health health() {
        if (!Files.isDirectory(store.directory()) || !Files.isWritable(store.directory())) {
            return Health.down().withDetail("error", "the model directory is missing or not writable").build();
        }
        long free;
        try {
            free = Files.getFileStore(store.directory()).getUsableSpace();
        } catch (java.io.IOException e) {
            return Health.down().withDetail("error", "cannot read the free space of the model directory").build();
        }
        return Health.up().withDetail("count", store.list().size()).withDetail("freeBytes", free).build();
    }
}
