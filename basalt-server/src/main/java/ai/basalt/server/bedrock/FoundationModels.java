package ai.basalt.server.bedrock;

import ai.basalt.server.BasaltServer;
import ai.basalt.server.Json;
import ai.basalt.server.ModelPool;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * The two model-listing calls of Bedrock's control plane (the {@code bedrock} service, beside the runtime), so that
 * the AWS SDK's {@code BedrockClient} finds the models on offer:
 *
 * <pre>
 *   GET /foundation-models[?byProvider=&amp;byOutputModality=&amp;byInferenceType=&amp;byCustomizationType=]
 *     → {"modelSummaries": [SUMMARY, ...]}
 *   GET /foundation-models/{modelIdentifier}   (an id, or the ARN this listing gives)
 *     → {"modelDetails": SUMMARY}
 *   SUMMARY = {"modelArn": "arn:aws:bedrock:local::foundation-model/NAME", "modelId": NAME, "modelName": NAME,
 *              "providerName": "Basalt", "inputModalities": ["TEXT"], "outputModalities": ["TEXT"],
 *              "responseStreamingSupported": true, "customizationsSupported": [], "inferenceTypesSupported": ["ON_DEMAND"],
 *              "modelLifecycle": {"status": "ACTIVE"}}
 * </pre>
 *
 * The filters select as Bedrock's do (provider case-insensitively); no model here is customizable, so a
 * {@code byCustomizationType} filter selects none. Listing loads no model; an unknown id is a 404, which the SDK
 * raises as {@code ResourceNotFoundException}.
 */
final class FoundationModels {
    static final String PROVIDER = "Basalt";
    private static final String ARN_PREFIX = "arn:aws:bedrock:local::foundation-model/";

    private final BasaltServer server;

    FoundationModels(BasaltServer server) {
        this.server = server;
    }

    void list(Context ctx) {
        String provider = ctx.queryParam("byProvider");
        String output = ctx.queryParam("byOutputModality");
        String inference = ctx.queryParam("byInferenceType");
        boolean selected = (provider == null || provider.equalsIgnoreCase(PROVIDER))
                && (output == null || output.equals("TEXT"))
                && (inference == null || inference.equals("ON_DEMAND"))
                && ctx.queryParam("byCustomizationType") == null;
        ObjectNode body = Json.newObject();
        ArrayNode summaries = body.putArray("modelSummaries");
        if (selected) for (ModelPool.Offer o : server.models().offers()) summaries.add(summary(o));
        ctx.json(body);
    }

    void get(Context ctx) {
        String id = ctx.pathParam("modelIdentifier");
        if (id.toLowerCase(Locale.ROOT).startsWith(ARN_PREFIX)) id = id.substring(ARN_PREFIX.length());
        ObjectNode body = Json.newObject();
        body.set("modelDetails", summary(server.models().find(id)));
        ctx.json(body);
    }

    private static ObjectNode summary(ModelPool.Offer o) {
        ObjectNode s = Json.newObject();
        s.put("modelArn", ARN_PREFIX + o.name());
        s.put("modelId", o.name());
        s.put("modelName", o.name());
        s.put("providerName", PROVIDER);
        s.putArray("inputModalities").add("TEXT");
        s.putArray("outputModalities").add("TEXT");
        s.put("responseStreamingSupported", true);
        s.putArray("customizationsSupported");
        s.putArray("inferenceTypesSupported").add("ON_DEMAND");
        s.putObject("modelLifecycle").put("status", "ACTIVE");
        return s;
    }
}
