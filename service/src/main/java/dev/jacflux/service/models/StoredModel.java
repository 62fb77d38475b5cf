package dev.jacflux.service.models;

import dev.jacflux.model.Sequential;
import java.nio.file.Path;

/**
 * A model in the store: its id, its two files and its architecture (read from the JSON; the
 * weights are loaded on demand by {@link ModelStore#load}).
 *
 * <pre>{@code
 * StoredModel m = store.find("3f9a0c1d2e4b5a67").orElseThrow();
 * m.json();            // <data-dir>/models/3f9a0c1d2e4b5a67/model.json, what `jacflux ... --model` reads
 * m.summary();         // the JSON the service answers
 * }</pre>
 *
 * @param id           content hash of the two files
 * @param json         {@code models/<id>/model.json}
 * @param weights      {@code models/<id>/weights.npz}
 * @param architecture the layers and shapes
 */
public record StoredModel(String id, Path json, Path weights, Sequential architecture) {

    /** The answer of the models endpoints. */
    public ModelSummary summary() {
        return ModelSummary.of(id, architecture);
    }
}
