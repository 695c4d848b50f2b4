// Opens the API's OpenAPI document in Swagger UI (served from npm at /assets/swagger-ui/).
(function () {
  "use strict";
  var holder = document.getElementById("swagger-ui");
  if (!holder || typeof window.SwaggerUIBundle !== "function") {
    return;  // the page's link to the document stays
  }
  window.SwaggerUIBundle({
    url: holder.getAttribute("data-url"),
    domNode: holder,
    deepLinking: true,
    // Nothing is sent to swagger.io to validate the document.
    validatorUrl: null
  });
  holder.setAttribute("data-loaded", "swagger-ui");
})();
