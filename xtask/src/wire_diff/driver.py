# The official-SDK side of `cargo xtask wire-diff`: drives an official Alibaba Cloud Python SDK
# (installed from the package index into a project-local virtual environment) with the values
# the xtask chose, so its requests can be captured and compared with the Rust client's.
#
#   python driver.py probe <module> <input.json> <output.json>
#       For every operation: whether the SDK has it, the Python names of its path arguments,
#       and the request (and headers) model after a from_map/to_map round trip, which keeps
#       only the parameters the SDK knows.
#   python driver.py send <module> <input.json> <output.json> <port> <v3|legacy>
#       Calls every operation once against the capture server on 127.0.0.1:<port>, announcing
#       each one first; writes what each call raised (a capture answer the SDK cannot decode
#       raises after the request was sent, which is fine).
import http.client
import importlib
import inspect
import json
import sys


def norm(name):
    return name.replace("_", "").lower()


def load(module):
    client = importlib.import_module(module + ".client")
    models = importlib.import_module(module + ".models")
    return client.Client, models


def find_method(client_class, operation):
    wanted = norm(operation) + "withoptions"
    for name in dir(client_class):
        if name.endswith("with_options") and norm(name) == wanted:
            return name
    return None


def model_class(models, annotation):
    """The model class an annotation such as 'main_models.XxxRequest' names, if it does."""
    if not isinstance(annotation, str):
        annotation = getattr(annotation, "__name__", "")
    name = annotation.split(".")[-1]
    value = getattr(models, name, None)
    return value if inspect.isclass(value) else None


def parts(method, models):
    """(path argument names, request class, headers class or None) of a *_with_options."""
    path_args, request_class, headers_class = [], None, None
    for name, param in inspect.signature(method).parameters.items():
        if name == "self" or name == "runtime":
            continue
        if name == "headers":
            headers_class = model_class(models, param.annotation)
            continue
        cls = model_class(models, param.annotation)
        if cls is not None and name in ("request", "tmp_req"):
            request_class = cls
            continue
        path_args.append(name)
    return path_args, request_class, headers_class


def nest(values, keys):
    """`values` with each dotted name of `keys` (`LaunchConfiguration.ImageId`, `Filter.1.Key`)
    as the nested value the SDK's models hold (numbers are list positions from 1)."""
    out = json.loads(json.dumps({k: v for k, v in values.items() if k not in keys}))
    roots = set()
    for key in keys:
        parts = key.split(".")
        roots.add(parts[0])
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = values[key]

    def lists(node):
        if not isinstance(node, dict):
            return node
        node = {k: lists(v) for k, v in node.items()}
        positions = sorted(int(k) for k in node if k.isdigit())
        if node and len(positions) == len(node) and positions == list(range(1, len(node) + 1)):
            return [node[str(i)] for i in positions]
        return node

    for root in roots:
        out[root] = lists(out[root])
    return out


def lookup(node, key):
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and 0 < int(part) <= len(node):
            node = node[int(part) - 1]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def round_trip(cls, values):
    if cls is None:
        return {}
    return cls().from_map(json.loads(json.dumps(values))).to_map()


def probe(module, operations):
    client_class, models = load(module)
    out = []
    for op in operations:
        name = find_method(client_class, op["op"])
        if name is None:
            out.append({"op": op["op"], "method": None})
            continue
        path_args, request_class, headers_class = parts(getattr(client_class, name), models)
        wire_path = {norm(k): k for k in op["path"]}
        headers_into_request = headers_class is None
        request_values = dict(op["request"])
        if headers_into_request:
            request_values.update(op["headers"])
        back = round_trip(request_class, request_values)
        # Names the metadata writes flat (`LaunchConfiguration.ImageId`) and the SDK models
        # as nested objects: the same on the wire, so compared in the SDK's shape.
        # (Not where the metadata also has the root as a parameter of its own: both would
        # write the same wire names, and the comparison could not tell them apart.)
        # Only text, number and boolean values: a structured value under a flat name is
        # serialised by its own style, which the nested model does not keep.
        nested = [k for k in request_values
                  if "." in k and k not in back and k.split(".")[0] not in request_values
                  and not isinstance(request_values[k], (dict, list))]
        if nested:
            back = round_trip(request_class, nest(request_values, nested))
            nested = [k for k in nested if lookup(back, k) is not None]
            for k in nested:
                back[k] = lookup(back, k)
        out.append({
            "op": op["op"],
            "method": name,
            "path_args": [wire_path.get(norm(a)) for a in path_args],
            "nested": nested,
            "request": back,
            "headers": round_trip(headers_class, op["headers"]) if headers_class else {},
            "headers_model": headers_class is not None,
        })
    return out


def mark(port, op):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/__wire_diff/begin?side=python&op=" + op, body=b"")
    connection.getresponse().read()
    connection.close()


def send(module, operations, port, mode):
    from alibabacloud_tea_openapi import utils_models as open_api_models
    from darabonba.runtime import RuntimeOptions

    client_class, models = load(module)
    config = open_api_models.Config(
        access_key_id="LTAIwirediff",
        access_key_secret="wire-diff-secret",
        endpoint="127.0.0.1:%d" % port,
        protocol="http",
        region_id="cn-hangzhou",
        # "legacy": the RPC v1 and ROA signatures (do_rpcrequest, do_roarequest).
        signature_algorithm="v2" if mode == "legacy" else None,
    )
    client = client_class(config)
    runtime = RuntimeOptions(autoretry=False, read_timeout=10000, connect_timeout=5000)
    errors = {}
    for op in operations:
        method = getattr(client, op["method"])
        path_args, request_class, headers_class = parts(getattr(client_class, op["method"]), models)
        # Path arguments are text in the SDK (it percent-encodes them); a number is its digits.
        args = [op["path"].get(wire) for wire in op["path_args"]]
        args = [str(a) if isinstance(a, (int, float)) and not isinstance(a, bool) else a
                for a in args]
        kwargs = {}
        if request_class is not None:
            kwargs[[n for n in inspect.signature(method).parameters if n in ("request", "tmp_req")][0]] = \
                request_class().from_map(json.loads(json.dumps(nest(op["request"], op["nested"]))))
        if "headers" in inspect.signature(method).parameters:
            if headers_class is not None:
                kwargs["headers"] = headers_class().from_map(json.loads(json.dumps(op["headers"])))
            else:
                kwargs["headers"] = {}
        kwargs["runtime"] = runtime
        mark(port, op["op"])
        try:
            method(*args, **kwargs)
        except Exception as e:  # the capture's answer, or a refusal before sending
            errors[op["op"]] = "%s: %s" % (type(e).__name__, str(e)[:300])
    return errors


def main():
    command, module, source, dest = sys.argv[1:5]
    with open(source, encoding="utf-8") as f:
        operations = json.load(f)
    if command == "probe":
        result = probe(module, operations)
    elif command == "send":
        result = send(module, operations, int(sys.argv[5]), sys.argv[6])
    else:
        raise SystemExit("unknown command " + command)
    with open(dest, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
