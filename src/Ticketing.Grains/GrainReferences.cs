namespace Ticketing.Grains;

/// <summary>
/// Grain references by key, with the grain's type resolved once. Orleans
/// 10.4's <c>GetGrain&lt;T&gt;(key)</c> resolves <c>T</c>'s grain interface type
/// on every call (custom attributes read and type names formatted and parsed),
/// on the path of every request (docs/performance.md). What it resolves
/// depends only on <c>T</c>, so it is done once per interface here and every
/// reference is made from the grain id.
/// </summary>
public static class GrainReferences
{
    public static T Reference<T>(this IGrainFactory grains, Guid key) where T : IGrainWithGuidKey
    {
        var types = Resolved<T>.From(grains);
        return (T)grains.GetGrain(GrainId.Create(types.Grain, GrainIdKeyExtensions.CreateGuidKey(key)), types.Interface);
    }

    public static T Reference<T>(this IGrainFactory grains, long key) where T : IGrainWithIntegerKey
    {
        var types = Resolved<T>.From(grains);
        return (T)grains.GetGrain(GrainId.Create(types.Grain, GrainIdKeyExtensions.CreateIntegerKey(key)), types.Interface);
    }

    /// <summary>A grain keyed by a Guid and a number (its key extension is the number in invariant digits).</summary>
    public static T Reference<T>(this IGrainFactory grains, Guid key, int number) where T : IGrainWithGuidCompoundKey
    {
        var types = Resolved<T>.From(grains);
        var extension = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (T)grains.GetGrain(GrainId.Create(types.Grain, GrainIdKeyExtensions.CreateGuidKey(key, extension)), types.Interface);
    }

    /// <summary>A grain keyed by a Guid and a string (its key extension).</summary>
    public static T Reference<T>(this IGrainFactory grains, Guid key, string keyExtension) where T : IGrainWithGuidCompoundKey
    {
        var types = Resolved<T>.From(grains);
        return (T)grains.GetGrain(GrainId.Create(types.Grain, GrainIdKeyExtensions.CreateGuidKey(key, keyExtension)), types.Interface);
    }

    /// <summary>The grain type and interface type of one grain interface.</summary>
    /// <remarks>A class: a reference is published whole, where a struct of several words could be read half-written by a concurrent first call.</remarks>
    private sealed record Types(GrainType Grain, GrainInterfaceType Interface);

    /// <summary>The types of <typeparamref name="T"/>, read off the first reference Orleans makes.</summary>
    private static class Resolved<T> where T : IAddressable
    {
        private static Types? types;

        public static Types From(IGrainFactory grains) => Volatile.Read(ref types) ?? Resolve(grains);

        private static Types Resolve(IGrainFactory grains)
        {
            var sample = (GrainReference)(object)(typeof(IGrainWithGuidKey).IsAssignableFrom(typeof(T)) ? grains.GetGrain(typeof(T), Guid.Empty)
                : typeof(IGrainWithGuidCompoundKey).IsAssignableFrom(typeof(T)) ? grains.GetGrain(typeof(T), Guid.Empty, "0")
                : grains.GetGrain(typeof(T), 0L));
            var resolved = new Types(sample.GrainId.Type, sample.InterfaceType);
            Volatile.Write(ref types, resolved);
            return resolved;
        }
    }
}
