namespace Ticketing.Grains;

/// <summary>
/// Grain references by key, with the grain's type resolved once. Orleans
/// 10.4's <c>GetGrain&lt;T&gt;(key)</c> resolves <c>T</c>'s grain interface type
/// on every call (custom attributes read and type names formatted and parsed):
/// 6 % of the silo's CPU on a hot tier (docs/performance.md). What it resolves
/// depends only on <c>T</c>, so it is done once per interface here and every
/// reference is made from the grain id.
/// </summary>
public static class GrainReferences
{
    public static T Reference<T>(this IGrainFactory grains, Guid key) where T : IGrainWithGuidKey =>
        (T)grains.GetGrain(GrainId.Create(Resolved<T>.GrainType(grains), GrainIdKeyExtensions.CreateGuidKey(key)), Resolved<T>.InterfaceType(grains));

    public static T Reference<T>(this IGrainFactory grains, long key) where T : IGrainWithIntegerKey =>
        (T)grains.GetGrain(GrainId.Create(Resolved<T>.GrainType(grains), GrainIdKeyExtensions.CreateIntegerKey(key)), Resolved<T>.InterfaceType(grains));

    /// <summary>The grain type and interface type of <typeparamref name="T"/>, read off the first reference Orleans makes.</summary>
    private static class Resolved<T> where T : IAddressable
    {
        private static (GrainType Grain, GrainInterfaceType Interface)? types;

        public static GrainType GrainType(IGrainFactory grains) => (types ??= Resolve(grains)).Grain;

        public static GrainInterfaceType InterfaceType(IGrainFactory grains) => (types ??= Resolve(grains)).Interface;

        private static (GrainType, GrainInterfaceType) Resolve(IGrainFactory grains)
        {
            var sample = (GrainReference)(object)(typeof(IGrainWithGuidKey).IsAssignableFrom(typeof(T))
                ? grains.GetGrain(typeof(T), Guid.Empty)
                : grains.GetGrain(typeof(T), 0L));
            return (sample.GrainId.Type, sample.InterfaceType);
        }
    }
}
