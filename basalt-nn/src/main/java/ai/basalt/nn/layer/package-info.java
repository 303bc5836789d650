/**
 * Layers that own parameters ({@link ai.basalt.nn.layer.Linear}, {@link ai.basalt.nn.layer.Embedding},
 * {@link ai.basalt.nn.layer.LayerNorm}, {@link ai.basalt.nn.layer.RmsNorm}), each a thin holder of
 * {@link ai.basalt.nn.Var}s tagged with their {@link ai.basalt.nn.ParamKind} and a {@code forward} over a
 * {@link ai.basalt.nn.Graph}. Extension point: a model implements {@link ai.basalt.nn.layer.Module} by
 * listing its layers' parameters in a fixed order; layers hold no reference to the model.
 */
package ai.basalt.nn.layer;
