"""Korean for every sentence the grader says about a learner's code.

Keys are the English templates exactly as written at their ``say(...)``
call; a test checks that every such template has an entry here, with the
same placeholders.
"""

from __future__ import annotations

KO: dict[str, str] = {
    # the handshake
    "the server accepted the connection to {path}; it should have refused it":
        "서버가 {path} 연결을 accept 했어요. 거절해야 해요",
    "the endpoint closes before accepting": "endpoint가 accept 전에 연결을 닫음",
    "accepted": "accept 됨",
    "the server picked the wrong subprotocol": "서버가 다른 subprotocol을 골랐어요",
    "your endpoint for {path} returned without accepting the connection: call await websocket.accept() first "
    "(uvicorn answers HTTP 500 here and logs 'ASGI callable returned without completing handshake')":
        "{path} 경로의 endpoint가 연결을 accept 하지 않고 return 했어요. 먼저 await websocket.accept()를 호출하세요 "
        "(uvicorn은 여기서 HTTP 500으로 답하고 'ASGI callable returned without completing handshake'를 로그에 남겨요)",
    "a real client would abort this handshake: {why}. Accept with one of websocket.scope['subprotocols'], or with none":
        "실제 클라이언트라면 이 핸드셰이크를 중단해요: {why}. websocket.scope['subprotocols'] 중 하나로 accept 하거나 "
        "subprotocol 없이 accept 하세요",
    "a subprotocol the client offered, or none": "클라이언트가 제안한 subprotocol, 또는 없음",
    "the endpoint function returned": "endpoint 함수가 return 함",
    "the endpoint for {path} neither accepted nor refused the connection within {seconds} s":
        "{path} 경로의 endpoint가 {seconds}초 안에 연결을 accept 하지도 거절하지도 않았어요",
    "a refusal": "거절",
    "no answer to the handshake": "핸드셰이크에 답이 없음",
    "your endpoint raised {error} during the handshake (a real client gets HTTP 500, and uvicorn logs "
    "'Exception in ASGI application')":
        "핸드셰이크 중에 endpoint에서 예외가 발생했어요: {error} (실제 클라이언트는 HTTP 500을 받고, uvicorn은 "
        "'Exception in ASGI application'을 로그에 남겨요)",
    "an exception": "예외",
    "closed with code {code}": "닫힘 (close code {code})",
    "no WebSocket route of your app matches {path}: it has {routes}":
        "앱의 WebSocket 경로 중 맞는 것이 없어요: {path}. 있는 경로: {routes}",
    "none": "없음",
    "the server refused the connection to {path} ({refusal} before accepting)":
        "서버가 {path} 연결을 거절했어요 (accept 전에 {refusal})",
    "the connection is accepted": "연결이 accept 됨",
    "refused: {refusal}": "거절됨: {refusal}",
    "the server refused the connection with code {code}, not {wanted}":
        "서버가 연결을 거절했는데 close code가 달라요 (기대: {wanted}, 실제: close code {code})",
    "refused with code {code}": "거절됨 (close code {code})",
    # messages
    "a text message was expected but a binary one arrived": "텍스트 메시지를 기대했는데 바이너리 메시지가 왔어요",
    "the server's text message is not the expected one": "서버의 텍스트 메시지가 기대와 달라요",
    "a JSON text message was expected but a binary one arrived (send_json sends text; send_bytes sends binary)":
        "JSON 텍스트 메시지를 기대했는데 바이너리 메시지가 왔어요 (send_json은 텍스트, send_bytes는 바이너리를 보내요)",
    "the server's message is not JSON (use send_json to send an object)":
        "서버의 메시지가 JSON이 아니에요 (객체는 send_json으로 보내세요)",
    "the server's JSON answer differs at {path}: expected {expected}, got {actual} "
    "(objects match exactly: no missing or extra keys)":
        "서버의 JSON 응답이 다른 위치: {path} (기대: {expected}, 실제: {actual}). "
        "객체는 정확히 같아야 해요: 빠진 키도 남는 키도 없이",
    "the server's JSON answer differs at {path}: expected {expected}, got {actual}":
        "서버의 JSON 응답이 다른 위치: {path} (기대: {expected}, 실제: {actual})",
    "any binary message": "아무 바이너리 메시지",
    "a binary message was expected but a text one arrived (send_bytes sends binary; send_text sends text)":
        "바이너리 메시지를 기대했는데 텍스트 메시지가 왔어요 (send_bytes는 바이너리, send_text는 텍스트를 보내요)",
    "the binary message differs": "바이너리 메시지가 달라요",
    # closing
    "the server closes the connection": "서버가 연결을 닫음",
    "the server closes the connection with code {code}": "서버가 연결을 닫음 (close code {code})",
    "the server sent a message instead of closing the connection": "서버가 연결을 닫지 않고 메시지를 보냈어요",
    "the endpoint returned without closing the connection: call await websocket.close(code=...) before returning":
        "endpoint가 연결을 닫지 않고 return 했어요. return 하기 전에 await websocket.close(code=...)를 호출하세요",
    "the endpoint returned; no close frame was sent (a real client sees the connection drop: 1006)":
        "endpoint가 return 했고 close 프레임은 보내지 않았어요 (실제 클라이언트는 연결이 끊긴 것(1006)으로 봐요)",
    "the server did not close the connection within {seconds} s": "서버가 {seconds}초 안에 연결을 닫지 않았어요",
    "the connection stayed open": "연결이 열린 채로 남음",
    "the server closed with code {code}, not {wanted}": "서버가 연결을 닫았는데 close code가 달라요 (기대: {wanted}, 실제: close code {code})",
    "the close reason is not the expected one": "close reason이 기대와 달라요",
    # silence and leaving
    "the server sent a message after {after} s where {seconds} s of silence were expected":
        "{seconds}초 동안 조용해야 하는데 {after}초 뒤에 서버가 메시지를 보냈어요",
    "no message for {seconds} s": "{seconds}초 동안 메시지 없음",
    "the server closed the connection (code {code}{reason}) after {after} s where {seconds} s of silence were expected":
        "{seconds}초 동안 조용해야 하는데 {after}초 뒤에 서버가 연결을 닫았어요 (close code {code}{reason})",
    "your endpoint returned after {after} s where {seconds} s of silence were expected":
        "{seconds}초 동안 조용해야 하는데 {after}초 뒤에 endpoint가 return 했어요",
    "your endpoint was still running {seconds} s after the client left":
        "클라이언트가 떠나고 {seconds}초가 지나도 endpoint가 계속 실행 중이었어요",
    "it should notice the disconnect and return": "연결이 끊긴 것을 알아채고 return 해야 해요",
    "the endpoint returns": "endpoint가 return 함",
    "still running": "계속 실행 중",
    "WebSocketDisconnect escaped your endpoint when the client left. A real server (uvicorn) logs 'Exception in "
    "ASGI application' with a traceback for every client that leaves: catch it (try/except WebSocketDisconnect) "
    "or iterate with iter_text()/iter_json(), which end quietly":
        "클라이언트가 떠날 때 WebSocketDisconnect가 endpoint 밖으로 새어 나갔어요. 실제 서버 (uvicorn)는 "
        "클라이언트가 떠날 때마다 'Exception in ASGI application'과 traceback을 로그에 남겨요. "
        "try/except WebSocketDisconnect로 잡거나, 조용히 끝나는 iter_text()/iter_json()으로 반복하세요",
    "your endpoint kept using the connection after the client left ({error}): stop reading and sending once "
    "WebSocketDisconnect arrives":
        "클라이언트가 떠난 뒤에도 endpoint가 연결을 계속 썼어요 ({error}). WebSocketDisconnect가 오면 "
        "읽기와 보내기를 멈추세요",
    "an exception escaped your endpoint after the client left: {error}; the endpoint should return quietly once the "
    "client is gone":
        "클라이언트가 떠난 뒤 예외가 endpoint 밖으로 새어 나갔어요: {error}. 클라이언트가 떠나면 endpoint는 조용히 "
        "return 해야 해요",
    "the endpoint returns without an exception": "endpoint가 예외 없이 return 함",
    "your endpoint kept going after it refused the connection (a close before accept: the client got HTTP 403) and "
    "raised {error}: return right after close(), or raise WebSocketException(code=...) in the dependency, which "
    "stops the endpoint there":
        "endpoint가 연결을 거절한 뒤에도 계속 실행되다가 예외가 발생했어요 (accept 전에 연결을 닫아서 클라이언트는 "
        "HTTP 403 응답을 받았어요): {error}. close() 바로 뒤에 return 하거나, dependency에서 "
        "WebSocketException(code=...) 예외를 발생시키면 endpoint가 거기서 멈춰요",
    "round {n} of {total}": "{total}번 중 {n}번째",
    # files
    "{path} is a link out of the working directory; write a regular file":
        "{path} 경로는 작업 폴더 밖을 가리키는 링크예요. 보통 파일로 쓰세요",
    "a symbolic link": "심볼릭 링크",
    "your app did not write {path} in its working directory": "앱이 작업 폴더에 {path} 파일을 쓰지 않았어요",
    "{path} holding {content}": "{path} 파일 (내용: {content})",
    "no such file": "파일 없음",
    "{path} does not hold the expected bytes": "{path} 파일의 바이트가 기대와 달라요",
    # waiting
    "the server flooded the client with messages nobody asked for": "서버가 요청하지 않은 메시지를 쏟아냈어요",
    "one answer per message": "메시지마다 답 하나",
    "more than {n} unread messages": "읽지 않은 메시지 {n}개 이상",
    "the server closed the connection (code {code}{reason}) instead of answering":
        "서버가 답하지 않고 연결을 닫았어요 (close code {code}{reason})",
    "a message": "메시지",
    "the grader's WebSocket client failed ({error}); this is not your code's fault, please report it":
        "채점기의 WebSocket 클라이언트가 실패했어요 ({error}). 작성한 코드의 잘못이 아니니 강사에게 알려 주세요",
    "no connection": "연결 없음",
    "your endpoint returned after it tried to send to a client that had already left{where} (Starlette raises "
    "WebSocketDisconnect with code 1006 there, and your code caught it): forget clients as soon as they disconnect":
        "endpoint가 이미 떠난 클라이언트에게 보내려다가 return 했어요{where} (Starlette는 거기서 close code 1006의 "
        "WebSocketDisconnect 예외를 발생시키고, 작성한 코드가 그 예외를 잡았어요). 클라이언트가 끊기면 바로 목록에서 지우세요",
    "your endpoint returned while the client was still waiting for an answer (did the loop stop after one message, "
    "or is there a return inside it?)":
        "클라이언트가 답을 기다리는데 endpoint가 return 했어요 (루프가 메시지 하나 뒤에 멈췄거나, 안에 return이 "
        "있나요?)",
    "no message arrived within {seconds} s": "{seconds}초 안에 메시지가 오지 않았어요",
    "nothing": "아무것도 없음",
    "your endpoint is waiting at {place}": "endpoint가 기다리는 위치: {place}",
    # errors
    "your endpoint raised {error}: it sent to a client that had already left; forget clients as soon as they "
    "disconnect, before telling the others":
        "endpoint에서 예외가 발생했어요: {error}. 이미 떠난 클라이언트에게 보냈어요. 다른 클라이언트에게 알리기 전에, "
        "끊긴 클라이언트는 바로 목록에서 지우세요",
    "an answer": "응답",
    "{error} (uvicorn logs 'Exception in ASGI application' and drops the connection: the client sees 1006)":
        "{error} (uvicorn은 'Exception in ASGI application'을 로그에 남기고 연결을 끊어요. 클라이언트는 연결이 끊긴 것(1006)으로 봐요)",
    "your endpoint raised {error}": "endpoint에서 예외가 발생했어요: {error}",
    "your code called sys.exit() while serving a client ({error})":
        "클라이언트를 처리하는 중에 코드가 sys.exit()를 호출했어요 ({error})",
    "your code raised KeyboardInterrupt while serving a client": "클라이언트를 처리하는 중에 코드에서 KeyboardInterrupt 예외가 발생했어요",
    "the endpoint keeps serving": "endpoint가 계속 서비스함",
    # the grading process
    "not run: grading took longer than {seconds} s in all; fix the checks above that stopped responding first":
        "실행 안 됨: 채점이 모두 합쳐 {seconds}초를 넘었어요. 먼저 위에서 응답을 멈춘 검사를 고치세요",
    "your code called {call}, which ends the whole server process": "코드가 서버 프로세스 전체를 끝내는 호출을 했어요: {call}",
    "process exited with code {status}": "프로세스가 끝남 (종료 코드 {status})",
    "your endpoint stopped responding: it blocked the event loop for more than {seconds} s of real time{where}{memory}. "
    "Blocking calls (time.sleep, busy loops, synchronous I/O) freeze every connection: use await asyncio.sleep(...) "
    "or run the work in a thread":
        "endpoint가 응답을 멈췄어요: 실제 시간으로 {seconds}초 넘게 이벤트 루프를 막았어요{where}{memory}. "
        "블로킹 호출 (time.sleep, 바쁜 대기 루프, 동기 I/O)은 모든 연결을 멈춰요. await asyncio.sleep(...)을 쓰거나 "
        "작업을 스레드에서 실행하세요",
    " at {place}": " ({place})",
    "grading took longer than {seconds} s in all and your app was still busy{where}: an endpoint that never waits "
    "for anything (a loop without a real await) keeps the server from serving anyone else":
        "채점이 모두 합쳐 {seconds}초를 넘겼는데 앱이 아직 일하고 있었어요{where}. 아무것도 기다리지 않는 endpoint "
        "(실제로 기다리는 await가 없는 루프)는 서버가 다른 누구에게도 응답하지 못하게 해요",
    "the server was still busy": "서버가 아직 바쁨",
    ": they first differ at character {n}, where {want} was expected and {got} arrived":
        ": {n}번째 글자부터 달라요 (기대: {want}, 실제: {got})",
    "the end of the text": "텍스트의 끝",
    "step {n}, {action} ({place})": "{n}단계, {action} ({place})",
    "accepted (subprotocol {name})": "accept 됨 (subprotocol: {name})",
    "refused: HTTP {status} (closed with code {code})": "거절됨: HTTP {status} (close code {code})",
    "client disconnects (code {code})": "클라이언트가 연결을 끊음 (close code {code})",
    "server closed the connection: code {code}": "서버가 연결을 닫음: close code {code}",
    "the connection dropped without a close frame (a real client sees 1006)":
        "close 프레임 없이 연결이 끊김 (실제 클라이언트는 1006을 봐요)",
    "handshake aborted by the client: {why}": "클라이언트가 핸드셰이크를 중단함: {why}",
    "binary frame of {n} bytes {data}": "바이너리 프레임 {n}바이트 {data}",
    "; meanwhile the endpoint of client {client} raised {error} (uvicorn logs 'Exception in ASGI application')":
        ". 그동안 {client} 클라이언트의 endpoint에서 예외가 발생했어요: {error} (uvicorn은 'Exception in ASGI "
        "application'을 기록해요)",
    "{place}: {call}(...) is called without await, so it never runs (Python warned: coroutine '{name}' was never "
    "awaited). Write await before it: await websocket.{method}(...)":
        "{place}: {call}(...) 호출 앞에 await가 없어서 실행되지 않아요 (Python 경고: coroutine '{name}' was never "
        "awaited). 앞에 await를 붙이세요: await websocket.{method}(...)",
    "{place}: the WebSocket endpoint {name}() is a plain def; FastAPI awaits WebSocket endpoints, so it must be "
    "async def {name}(...) (and await receive and send inside)":
        "{place}: WebSocket endpoint인 {name}() 함수가 일반 def로 선언돼 있어요. FastAPI는 WebSocket endpoint를 await 하므로 "
        "async def {name}(...)로 써야 해요 (안에서는 receive와 send를 await 하세요)",
    "{place}: {name}() takes a WebSocket but is declared with @{owner}.{kind}(...), an HTTP route; a WebSocket "
    "endpoint is declared with @{owner}.websocket(\"/path\")":
        "{place}: {name}() 함수는 WebSocket을 받지만 HTTP 경로를 만드는 @{owner}.{kind}(...)로 선언했어요. "
        "WebSocket endpoint는 @{owner}.websocket(\"/path\")로 선언해요",
    "a space": "공백",
    "a line break": "줄바꿈",
    "a tab": "탭",
    ", while its memory grew to {peak} MB (limit {limit} MB)": ", 메모리는 {peak} MB까지 늘었어요 (한도 {limit} MB)",
    "the server froze": "서버가 멈춤",
    "it used more than {seconds} s of CPU time": "CPU 시간을 {seconds}초 넘게 썼어요",
    "it was killed (most often for using more than {limit} MB of memory)":
        "강제로 종료됐어요 (대개 메모리를 {limit} MB 넘게 써서예요)",
    "it crashed (segmentation fault)": "비정상 종료됐어요 (segmentation fault)",
    "it was stopped by {signal}": "시그널을 받고 멈췄어요 ({signal})",
    "the server process running your app died: {why}{memory}": "앱을 실행하던 서버 프로세스가 죽었어요: {why}{memory}",
    "the server process running your app exited with code {status} (did your code call sys.exit() or os._exit()?)":
        "앱을 실행하던 서버 프로세스가 끝났어요 (종료 코드 {status}). 코드에서 sys.exit()나 os._exit()를 호출했나요?",
    "exit code {status}": "종료 코드 {status}",
    # importing the learner's file
    "{path} does not exist yet: `grade start` writes the lesson's starter there, or pass --app PATH":
        "{path} 파일이 아직 없어요. `grade start`가 레슨의 시작 코드를 거기에 만들어 줘요. 또는 --app PATH로 지정하세요",
    "{file} cannot be imported as a Python module": "{file} 파일은 Python 모듈로 import 할 수 없어요",
    "{file} has a syntax error: {error}": "{file} 파일에 문법 오류가 있어요: {error}",
    "{file} called sys.exit() while being imported ({error})": "{file} 파일이 import 되는 중에 sys.exit()를 호출했어요 ({error})",
    "{file} imports a module that is not installed: {module} ({error})":
        "{file} 파일이 설치되지 않은 모듈을 import 해요: {module} ({error})",
    "{file} raised an error while being imported: {error}": "{file} 파일이 import 되는 중에 오류가 발생했어요: {error}",
    "{file} defines no `{attr}`: write `{attr} = FastAPI()` at the top level":
        "{file} 파일에 `{attr}` 변수가 없어요. 최상위에 `{attr} = FastAPI()`를 쓰세요",
    " (it has {found}: name it {attr} or pass --app {file}:{first})":
        " (있는 것: {found}. 이름을 `{attr}` 변수로 바꾸거나 --app {file}:{first} 옵션으로 지정하세요)",
    "`{attr}` in {file} is {kind} {value}, not an application: write `{attr} = FastAPI()`":
        "{file} 파일의 `{attr}` 변수는 애플리케이션이 아니에요 ({kind} {value}). `{attr} = FastAPI()`처럼 쓰세요",
    # source rules
    "cannot read {file}: {error}": "{file} 파일을 읽을 수 없어요: {error}",
    "{file} is not valid Python (line {line}): {error}": "{file} 파일은 올바른 Python이 아니에요 ({line}줄): {error}",
    "{file} never calls {names}() (only real calls count, not comments or strings)":
        "{file} 파일은 다음 함수를 한 번도 호출하지 않아요: {names}() (주석이나 문자열이 아닌 실제 호출만 세요)",
    "a call of {names}": "{names} 호출",
    "no such call in the code": "코드에 그런 호출이 없음",
    "{file} calls {name}() on line {lines}, which this exercise asks you not to use":
        "{file} 파일이 {name}() 함수를 호출해요 ({lines}줄). 이 레슨에서는 쓰지 말아야 해요",
    "no call of {name}": "{name} 호출 없음",
    "{name}() on line {lines}": "{lines}줄의 {name}()",
    # lifespan
    "the app's lifespan startup did not finish within {seconds} s": "앱의 lifespan 시작이 {seconds}초 안에 끝나지 않았어요",
    "the app's lifespan startup failed: {message}": "앱의 lifespan 시작이 실패했어요: {message}",
    "the app's lifespan startup raised an exception": "앱의 lifespan 시작에서 예외가 났어요",
    "your app's process broke the grading protocol ({why}); the grader only believes what it sees your app send":
        "앱을 실행하는 프로세스가 채점 프로토콜을 어겼어요 ({why}). 채점기는 앱이 실제로 보낸 것만 믿어요",
    "your file did not finish importing within {seconds} s{where}: code at the top level of the file runs when the "
    "grader imports it. Put uvicorn.run(...) and other long-running calls under `if __name__ == \"__main__\":`":
        "파일 import가 {seconds}초 안에 끝나지 않았어요{where}. 파일 맨 바깥 수준의 코드는 채점기가 import 할 때 "
        "실행돼요. uvicorn.run(...) 같은 오래 걸리는 호출은 `if __name__ == \"__main__\":` 아래에 두세요",
    " (it was at {place})": " (멈춘 위치: {place})",
    "your code raised {error}": "작성한 코드에서 예외가 발생했어요: {error}",
    "a broken message": "깨진 메시지",
    "not run: your app froze in the check \u201c{name}\u201d above; fix that first":
        "실행 안 됨: 위의 \u201c{name}\u201d 검사에서 앱이 멈췄어요. 그것부터 고치세요",
    "the server refused the connection with HTTP {status}, not {wanted}":
        "서버가 연결을 HTTP {status} 상태로 거절했어요. 기대한 상태: HTTP {wanted}",
    "refused with HTTP {status}": "HTTP {status} 상태로 거절됨",
    # the HTML report: the sequence diagram
    "{seconds} s of the grader's clock pass with nothing on the wire":
        "채점기 시계로 {seconds}초 동안 아무것도 오가지 않음",
    "before the conversation began": "대화가 시작되기 전",
    "connect {path}": "연결: {path}",
    "accept": "accept",
    "accept (subprotocol {name})": "accept (subprotocol: {name})",
    "refused: HTTP {status}": "거절됨: HTTP {status}",
    "close": "닫힘",
    "close code {code}": "close code {code}",
    "close code {code}, close reason {reason}": "close code {code}, close reason {reason}",
    "dropped without a close frame (a real client sees 1006)": "close 프레임 없이 끊김 (실제 클라이언트는 1006을 봐요)",
    "the client aborts the handshake": "클라이언트가 핸드셰이크를 중단함",
    "… {n} earlier lines not shown": "… 앞의 {n}줄은 생략했어요",
    "binary, {n} bytes": "바이너리, {n}바이트",
    "server": "서버",
    # the HTML report
    "All {n} checks passed · {points}/{max_points} points": "검사 {n}개 모두 통과 · {points}/{max_points}점",
    "{passed} of {total} checks passed · {points}/{max_points} points":
        "검사 {total}개 중 {passed}개 통과 · {points}/{max_points}점",
    "The one check passed · {points}/{max_points} points": "검사 1개 통과 · {points}/{max_points}점",
    "hidden checks still to run when you submit: {n} (1 point)": "제출할 때 실행될 숨겨진 검사: {n}개 (1점)",
    "hidden checks still to run when you submit: {n} ({points} points)":
        "제출할 때 실행될 숨겨진 검사: {n}개 ({points}점)",
    "passed": "통과",
    "failed": "실패",
    "not run": "실행 안 됨",
    "hidden check": "숨겨진 검사",
    "{points}/{max_points} points": "{points}/{max_points}점",
    ": the text fits the pattern up to character {n}; from there on it does not ({rest})":
        ": {n}번째 글자까지는 패턴에 맞고, 그 뒤부터 맞지 않아요 ({rest})",
    "offers subprotocols {names}": "제안한 subprotocol: {names}",
    "sends headers {headers}": "보낸 헤더: {headers}",
    "sends cookies {cookies}": "보낸 쿠키: {cookies}",
    "Failed for the same reason as {name}.": "다음 검사와 같은 이유로 실패했어요: {name}",
    "The same cause sank {n} more checks: {names}": "같은 원인으로 검사 {n}개가 더 실패했어요: {names}",
    "your endpoint caught WebSocketDisconnect (at {caught}), then its handler raised {error} at {place} ({code}): "
    "the client is already gone, so there is nothing left to close or send to; let the endpoint return":
        "endpoint가 WebSocketDisconnect 예외를 잡았지만({caught}), 그 처리 코드에서 다시 예외가 발생했어요: {error} "
        "(위치: {place}, 코드: {code}). 클라이언트는 이미 떠났으니 닫거나 보낼 대상이 없어요. endpoint가 그대로 return 하게 "
        "두세요",
    "an exception escaped your endpoint after the client left: {error}. websocket.receive() does not raise when the "
    "client leaves: it returns {{'type': 'websocket.disconnect'}}, which has no text; check message['type'] before "
    "reading it, or use receive_text()/iter_text()":
        "클라이언트가 떠난 뒤 endpoint 밖으로 예외가 나왔어요: {error}. 클라이언트가 떠나도 websocket.receive()에서는 "
        "예외가 발생하지 않고 {{'type': 'websocket.disconnect'}} 메시지가 돌아와요. 여기에는 텍스트가 없어요. 읽기 전에 "
        "`message['type']` 값을 확인하거나 receive_text()/iter_text()를 쓰세요",
    "your endpoint raised {error}: it closed the connection itself (close code {code}) and then kept using it; "
    "return (or break out of the loop) right after close()":
        "endpoint에서 예외가 발생했어요: {error}. endpoint가 직접 연결을 닫은 뒤(close code {code}) 그 연결을 계속 "
        "썼어요. close()를 호출한 바로 뒤에 return 하거나 루프를 빠져나오세요",
    "This check reads your source code; it has no conversation.": "이 검사는 작성한 코드를 읽어요. 주고받은 메시지는 없어요.",
    "at": "위치",
    "expected": "기대",
    "got": "실제",
    "your code raised": "작성한 코드에서 발생한 예외",
    "which led to": "그 때문에 생긴 오류",
    "key path": "키 경로",
    "difference": "차이",
    "missing": "빠짐",
    "not expected": "필요 없는 키",
    "differs": "값이 다름",
    "… and {n} more differences": "… 차이가 {n}개 더 있어요",
    "Every frame in full ({n} lines)": "주고받은 메시지 전체 ({n}줄)",
    "hint": "힌트",
    "What your app printed": "앱이 출력한 내용",
    "{n} more bytes of output not shown": "출력 {n}바이트는 생략했어요",
    # the class dashboard
    "{passed} of {total} submissions passed every check": "제출물 {total}개 중 {passed}개가 모든 검사를 통과했어요",
    "Pass rate per check": "검사별 통과율",
    "Scores": "점수 분포",
    "points out of {max_points}": "점수 (만점 {max_points}점)",
    "Most common causes of failure": "가장 흔한 실패 원인",
    "a different message arrived": "다른 메시지가 옴",
    "nothing arrived in time": "제시간에 아무것도 오지 않음",
    "the connection ended too early": "연결이 너무 일찍 끝남",
    "the handshake went the other way": "핸드셰이크 결과가 반대",
    "the endpoint did not end cleanly": "endpoint가 깔끔하게 끝나지 않음",
    "the app raised an exception": "앱에서 예외가 발생함",
    "a rule about the source code": "작성한 코드에 대한 규칙",
    "a file the app should write": "앱이 써야 하는 파일",
    "the event loop was blocked": "이벤트 루프가 막힘",
    "the app's process died": "앱의 프로세스가 죽음",
    "the file could not be imported": "파일을 import 할 수 없음",
    "the grader failed (not the learner's fault)": "채점기 오류 (학습자 잘못이 아니에요)",
    "could not be graded": "채점할 수 없음",
    "for example": "예시",
    "No check failed.": "실패한 검사가 없어요.",
    "Submissions": "제출물",
    "submission": "제출물",
    "result": "결과",
    "points": "점수",
    "checks": "검사",
    "note": "메모",
    # the course page
    "Your progress": "내 진행 상황",
    "Your progress, kept on this computer only": "내 진행 상황 (이 컴퓨터에만 저장돼요)",
    "Level {number} · {name}": "레벨 {number} · {name}",
    "top level reached · {xp} XP": "최고 레벨이에요 · {xp} XP",
    "{have}/{need} XP to next level ({name})": "다음 레벨까지 {have}/{need} XP (다음 레벨: {name})",
    "Lessons": "레슨",
    "Track {track}": "트랙 {track}",
    "{done}/{total} lessons passed": "레슨 {done}/{total}개 통과",
    "Achievements: {done} of {total}": "업적: {total}개 중 {done}개",
    "earned": "달성",
    "locked": "잠김",
    "to unlock: {how}": "달성 조건: {how}",
    "Recent attempts": "최근 채점",
    "No attempts yet: grade a lesson to see it here.": "아직 채점 기록이 없어요. 레슨을 채점하면 여기에 보여요.",
    "when": "시각",
    "lesson": "레슨",
    "the {n} messages on {client} cannot be paired one to one with the expected ones: none is left for {missing}":
        "{client} 클라이언트가 받은 메시지 {n}개를 기대한 메시지와 하나씩 짝지을 수 없어요. 짝이 없는 것: {missing}",
    "in any order: {items}": "순서와 상관없이: {items}",
    "the binary message differs: {how}": "바이너리 메시지가 달라요. 실제: {how}",
    "the server refused the connection, but not with the expected reason": "서버가 연결을 거절했지만 close reason이 기대와 달라요",
    "{file} has none of: {items} (only real code counts, not comments or strings)":
        "{file} 파일에 다음 중 어느 것도 없어요: {items} (주석이나 문자열이 아닌 실제 코드만 세요)",
    "one of: {items}": "다음 중 하나: {items}",
    "none of them in the code": "코드에 하나도 없음",
    "{file} lacks {items} (only real code counts, not comments or strings)":
        "{file} 파일에 없는 것: {items} (주석이나 문자열이 아닌 실제 코드만 세요)",
    "not in the code": "코드에 없음",
    "an import of {name}": "{name} 모듈 import",
    "a class based on {name}": "{name} 클래스를 상속한 클래스",
    "a function decorated with @{name}": "@{name} 데코레이터가 붙은 함수",
    "a call of {call}({keyword}=...)": "{call}({keyword}=...) 호출",
    "your app's lifespan shutdown did not finish within {seconds} s": "앱의 lifespan shutdown이 {seconds}초 안에 끝나지 않았어요",
    "your app's lifespan shutdown raised {error} (uvicorn logs 'Application shutdown failed')":
        "앱의 lifespan shutdown에서 예외가 발생했어요: {error} (uvicorn은 'Application shutdown failed'를 로그에 남겨요)",
    "your app's lifespan shutdown failed: {message}": "앱의 lifespan shutdown이 실패했어요: {message}",
    "the app shuts down cleanly": "앱이 문제없이 종료됨",
    "your app sent more than {limit} MiB in this check before it was read ({why}). Send less, in smaller messages, "
    "or wait for the client to answer before sending more":
        "이 검사에서 앱이 보낸 메시지 중 아직 읽히지 않은 양이 {limit} MiB 한도를 넘었어요 ({why}). 더 적게, 더 작은 메시지로 보내거나 "
        "클라이언트의 답을 기다린 뒤에 더 보내세요",
    "more than {limit} MiB of messages": "메시지 {limit} MiB 초과",
    # taking in the learner's file
    "the submission holds no {path}: hand in the lesson's file under that name":
        "제출물에 {path} 파일이 없어요. 레슨 파일을 그 이름으로 제출하세요",
    "{path} is {size} ({bytes} bytes), more than the {limit} ({limit_bytes} bytes) the grader takes for a lesson's "
    "file: keep data out of the source file (a lesson's app is a few KB)":
        "{path} 파일의 크기는 {size} ({bytes}바이트)로, 채점기가 받는 레슨 파일 크기 {limit} ({limit_bytes}바이트)보다 "
        "커요. 데이터는 소스 파일 밖에 두세요 (레슨 앱은 몇 KB 정도예요)",
    "{path} is a symbolic link (to {target}), not a file: a link in a submission is not graded. Hand in the file "
    "itself (copy it in place of the link, or zip the file, not a link)":
        "{path} 경로는 파일이 아니라 심볼릭 링크예요 (대상: {target}). 제출물 안의 링크는 채점하지 않아요. 링크 대신 "
        "파일 자체를 복사해 두거나, 링크가 아닌 파일을 zip으로 묶어 제출하세요",
    "{path} is reached through {folder}, a symbolic link to a folder (to {target}): a link in a submission is not "
    "graded. Hand in the file itself, in a real folder":
        "{path} 경로는 폴더를 가리키는 심볼릭 링크를 거쳐요 ({folder}, 대상: {target}). 제출물 안의 링크는 채점하지 "
        "않아요. 실제 폴더에 파일 자체를 넣어 제출하세요",
    "{path} is one of {n} names of the same file (a hard link), so it may be someone else's file: a hard link in a "
    "submission is not graded. Hand in a copy of your own file":
        "{path} 파일은 같은 파일을 가리키는 이름 {n}개 중 하나예요 (하드 링크). 다른 사람의 파일일 수 있어서 제출물 안의 "
        "하드 링크는 채점하지 않아요. 작성한 파일의 복사본을 제출하세요",
    "{path} is {kind}, not a regular file: save your app as an ordinary .py file":
        "{path} 경로는 보통 파일이 아니에요 (종류: {kind}). 앱을 보통 .py 파일로 저장하세요",
    "{path} is {kind}, not a regular file: write a regular file":
        "{path} 경로는 보통 파일이 아니에요 (종류: {kind}). 보통 파일로 쓰세요",
    "{path} cannot be read: {error}": "{path} 파일을 읽을 수 없어요: {error}",
    "a folder": "폴더",
    "a FIFO (named pipe)": "FIFO (이름 있는 파이프)",
    "a socket": "소켓",
    "a device": "장치 파일",
    "not a regular file": "보통 파일이 아님",
    "{zip} holds the entry {entry}, {why}: a zip with such an entry is not graded. Zip the lesson's file itself "
    "(grade submit makes such a zip)":
        "{zip} 파일에 {entry} 항목이 있어요 (문제: {why}). 이런 항목이 있는 zip은 채점하지 않아요. 레슨 파일 자체를 "
        "zip으로 묶으세요 (grade submit이 그렇게 만들어 줘요)",
    "{zip} holds no {file}: hand in the lesson's file under that name":
        "{zip} 파일 안에 {file} 파일이 없어요. 레슨 파일을 그 이름으로 제출하세요",
    "{entry} in {zip} is {size} ({bytes} bytes), more than the {limit} ({limit_bytes} bytes) the grader takes for a "
    "lesson's file: keep data out of the source file (a lesson's app is a few KB)":
        "{zip} 안의 {entry} 파일의 크기는 {size} ({bytes}바이트)로, 채점기가 받는 레슨 파일 크기 {limit} "
        "({limit_bytes}바이트)보다 커요. 데이터는 소스 파일 밖에 두세요 (레슨 앱은 몇 KB 정도예요)",
    "{zip} cannot be read as a zip file ({error})": "{zip} 파일을 zip으로 읽을 수 없어요 ({error})",
    "a symbolic link to somewhere else": "다른 곳을 가리키는 심볼릭 링크",
    "an absolute path": "절대 경로",
    "a path that climbs out of the folder with ..": ".. 로 폴더 밖으로 나가는 경로",
    # where a text stops fitting a regular expression, at either end
    ": the text does not fit the pattern from its first character on": ": 첫 글자부터 패턴에 맞지 않아요",
    ": the whole text fits the start of the pattern, which wants more after it":
        ": 텍스트 전체가 패턴의 앞부분에는 맞지만, 패턴은 그 뒤에 더 있어야 해요",
    # a client left behind by an earlier check
    "a client of the check \u201c{check}\u201d is probably still in your list of clients: its endpoint raised {error} "
    "there, so the code that forgets a client never ran for it, and sending to it fails here. Fix that exception "
    "first. What happened here: {message}":
        "\u201c{check}\u201d 검사의 클라이언트가 아직 클라이언트 목록에 남아 있는 것 같아요. 그 검사에서 endpoint에 "
        "예외가 발생해서 ({error}) 클라이언트를 지우는 코드가 실행되지 않았고, 여기서 그 클라이언트에게 보내다가 "
        "실패했어요. 그 예외부터 고치세요. 여기서 일어난 일: {message}",
    # the report's own words around the learner's lines and frames
    "{place} in {function}": "{place}, {function} 함수",
    "text {data}": "텍스트 {data}",
    "… ({n} bytes)": "… (모두 {n}바이트)",
    "… ({n} characters)": "… (모두 {n}글자)",
    "event loop blocked": "이벤트 루프가 막혔어요",
    # the progress file
    "cannot read your progress file {path}: {error}": "진행 상황 파일을 읽을 수 없어요: {path} ({error})",
    "your progress file was unreadable ({error}); it is kept as {backup}, and a new one was started":
        "진행 상황 파일을 읽을 수 없었어요 ({error}). 원래 파일은 {backup} 경로에 남겨 두고 새 파일을 시작했어요",
    # the command line
    "usage: ": "사용법: ",
    "error": "오류",
    "unrecognized arguments: {args}": "알 수 없는 인자예요: {args}",
    "the following arguments are required: {args}": "다음 인자가 필요해요: {args}",
    "argument {args}: invalid choice: {value} (choose from {choices})":
        "{args} 인자에 쓸 수 없는 값이에요: {value} (쓸 수 있는 값: {choices})",
    "argument {args}: expected one argument": "{args} 인자에는 값이 하나 필요해요",
    "the grader itself failed; this is not your code's fault. Please report it:":
        "채점기 자체에 문제가 생겼어요. 작성한 코드의 잘못이 아니에요. 강사에게 알려 주세요:",
    "the grader itself failed; this is not your code's fault. Please report it with the command you ran:":
        "채점기 자체에 문제가 생겼어요. 작성한 코드의 잘못이 아니에요. 실행한 명령과 함께 강사에게 알려 주세요:",
    # a record uvicorn logged again word for word, shown once
    "(uvicorn logged this {n} times in all)": "(uvicorn 로그에 이 내용이 모두 {n}번 남았어요)",
}

# One word for each idea, in every Korean text the grader, the specs and grader.toml show
# (register: 해요체; labels may end in a noun). English term → the Korean the texts use.
# Code, product and protocol names (WebSocket, FastAPI, uvicorn, JSON, ASGI, HTTP) and the
# lesson terms learners type (endpoint, accept, close code, close reason, subprotocol,
# envelope, broadcast) stay in English; level names stay English, as on the course site.
GLOSSARY: dict[str, str] = {
    "connection": "연결",
    "refuse": "거절하다",
    "close (a connection)": "닫다",
    "process exit code": "종료 코드",
    "handshake": "핸드셰이크",
    "route / path": "경로",
    "message": "메시지",
    "text": "텍스트",
    "binary": "바이너리",
    "frame": "프레임",
    "response": "응답",
    "expected / got": "기대 / 실제",
    "check": "검사",
    "lesson / track": "레슨 / 트랙",
    "achievement": "업적",
    "grader": "채점기",
    "exception / raise": "예외 / 예외가 발생하다",
    "error": "오류",
    "call": "호출하다",
    "event loop": "이벤트 루프",
    "blocking call": "블로킹 호출",
    "thread": "스레드",
    "payload": "페이로드",
}

# Words the Korean texts must not use, with the glossary's word to use instead.
AVOID: dict[str, str] = {
    "수락": "accept", "커넥션": "연결", "거부": "거절", "엔드포인트": "endpoint", "메세지": "메시지",
    "에러": "오류", "신고": "강사에게 알려 주세요", "기대한 것": "기대", "받은 것": "실제",
    "막는 호출": "블로킹 호출", "봉투": "envelope", "방송": "broadcast", "연습": "레슨",
    "를 냈어요": "예외가 발생했어요", "을 냈어요": "예외가 발생했어요", "를 내요": "예외가 발생해요", "를 내고": "예외를 발생시키고", "서브프로토콜": "subprotocol",
    "을 내요": "예외가 발생해요", "를 부르": "호출하", "을 부르": "호출하", "를 불렀": "호출했",
    "binary": "바이너리", "text 메시지": "텍스트 메시지", "frame": "프레임", "grader": "채점기",
    "event loop": "이벤트 루프", "thread": "스레드", "payload": "페이로드", "handshake": "핸드셰이크",
}
KO.update({
    # arrival-time bounds (after:/within: on an expect step)
    "between {after} s and {within} s after the previous step": "앞 단계가 끝나고 {after}초에서 {within}초 사이",
    "no sooner than {after} s after the previous step": "앞 단계가 끝나고 {after}초 이후",
    "at most {within} s after the previous step": "앞 단계가 끝나고 {within}초 안",
    "it arrived too early: {took} s after the previous step, where it should arrive {window}":
        "너무 일찍 도착했어요: 앞 단계가 끝나고 {took}초 뒤. 도착해야 하는 때: {window}",
    "it arrived too late: {took} s after the previous step, where it should arrive {window}":
        "너무 늦게 도착했어요: 앞 단계가 끝나고 {took}초 뒤. 도착해야 하는 때: {window}",
    "{took} s after the previous step": "앞 단계가 끝나고 {took}초 뒤",
    "it arrived too early or too late": "너무 일찍 또는 너무 늦게 도착함",
})

# The HTML pages: counts of one, said as one.
KO.update({
    "The same cause sank one more check: {name}": "같은 원인으로 검사 1개가 더 실패했어요: {name}",
    "Every frame in full (one line)": "주고받은 메시지 전체 (1줄)",
    "… and one more difference": "… 차이가 1개 더 있어요",
    "one more byte of output not shown": "출력 1바이트는 생략했어요",
})

# Step kinds and matcher operators with a module of their own keep their Korean there (grader/spec/steps/).
from grader.spec.steps import korean as _korean  # noqa: E402

KO.update(_korean())
