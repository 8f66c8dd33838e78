"""imgix beside the edge: the Management API (sources, purges, assets, reports) in JSON:API,
and sources whose images the POPs serve, rendered by a Pillow service of our own.

- :mod:`vendors.imgix.jsonapi`: documents, resource objects, errors;
- :mod:`vendors.imgix.jsonapi_query`: sparse fieldsets, sort, filter, paging;
- :mod:`vendors.imgix.api_keys`: API keys, permissions and the rate limit;
- :mod:`vendors.imgix.deployment` and :mod:`vendors.imgix.sources`: sources and their state;
- :mod:`vendors.imgix.param_catalogue`: every parameter imgix documents, as data;
- :mod:`vendors.imgix.params`, :mod:`vendors.imgix.pipeline`: rendering parameters and Pillow ops
  (with :mod:`~vendors.imgix.sizing`, :mod:`~vendors.imgix.smart_crop`, :mod:`~vendors.imgix.layers`,
  :mod:`~vendors.imgix.blend_modes`, :mod:`~vendors.imgix.animation`); decoding and encoding
  are the shared imaging core's (:mod:`imaging`);
- :mod:`vendors.imgix.cache_ttl`: the sources' cache TTL behaviours (pure rules);
- :mod:`vendors.imgix.buckets`, :mod:`vendors.imgix.stores`, :mod:`vendors.imgix.emulators`:
  S3, GCS and Azure storage, and the emulators GCS and Azure sources use by default;
- :mod:`vendors.imgix.masters`, :mod:`vendors.imgix.refresh`: imgix's origin cache of master
  images and its automatic refresh;
- :mod:`vendors.imgix.renderer`: the rendering service the POPs fill from;
- :mod:`vendors.imgix.property`: the property that maps viewer URLs to internal ones;
- :mod:`vendors.imgix.api_app`: the Management API app;
- :mod:`vendors.imgix.vendor`: the :class:`~edge.vendor.Vendor` (``ImgixService``);
- :mod:`vendors.imgix.options`: its command-line options (``PLUGIN``).
"""
