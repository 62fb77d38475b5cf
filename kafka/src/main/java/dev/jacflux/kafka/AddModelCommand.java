package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jacflux worker add-model --models DIR MODEL.json...}: copies each model file (and the
 * weights archive it names) into the model directory as {@code DIR/<id>/model.json} and
 * {@code weights.npz}, printing {@code <id>  <file>} per model; records name the model by this id.
 *
 * <pre>{@code
 * bin/jacflux worker add-model --models models examples/mnist-mlp/model.json
 * }</pre>
 */
@Command(name = "add-model", mixinStandardHelpOptions = true, version = "jacflux worker 0.1.0",
        header = "Add model files to a model directory and print their ids.",
        description = {"Copies each jacflux-model/1 file and its weights into DIR/<id>/model.json and DIR/<id>/weights.npz, where <id>"
                + " is the first 16 hex characters of SHA-256(model.json bytes, then weights.npz bytes), and prints '<id>  <file>'."
                + " Adding a model that is already there changes nothing.", ""},
        footer = {"Exit codes: 0 added, 2 bad usage or a model that does not load (one line on stderr)."})
final class AddModelCommand implements Callable<Integer> {
    @Option(names = "--models", required = true, paramLabel = "DIR", description = "The model directory (created if missing).")
    Path models;

    @Parameters(arity = "1..*", paramLabel = "MODEL.json", description = "jacflux-model/1 files.")
    List<Path> files;

    private final PrintStream out;

    AddModelCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        ModelDirectory dir = new ModelDirectory(models);
        for (Path f : files) {
            out.println(dir.add(f) + "  " + f);
        }
        return 0;
    }
}
